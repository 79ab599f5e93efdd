// The harness reads Linux process accounting (/proc/PID/status, clear_refs, getrusage).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
