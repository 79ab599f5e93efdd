using MemoryAssertions.RuntimeInternals;
using MemoryAssertions.Snapshots;
using LeakTargets;
using Xunit.Abstractions;

namespace MemoryAssertions.Tests.Snapshots;

/// <summary>
/// The live route's statics, found by reflection rather than by the DAC: the slot given for a field holds what the
/// field holds, finding them runs no class constructor, and the walk names its roots from them (or, where they cannot
/// be found, from ClrMD as before).
/// </summary>
[Collection(HeapCollection.Name)]
public sealed class StaticSlotsTests(ITestOutputHelper output) : IDisposable
{
    public void Dispose()
    {
        StaticSlots.Disabled = false;
        LiveProbes.Items.Clear();
    }

    /// <summary>The runtime's method that gives static slots exists from .NET 9 on; .NET 8 has none (Auto then takes the dump route and says why).</summary>
    private static bool RuntimeGivesSlots => Environment.Version.Major >= 9;

    private static StaticSlots.Slot SlotOf(StaticSlots.Slot[] slots, string name) => Assert.Single(slots, s => s.Name == name);

    private static unsafe object? Held(StaticSlots.Slot slot) => System.Runtime.CompilerServices.Unsafe.AsRef<object?>((void*)slot.Address);

    [Fact]
    public void Each_slot_holds_what_its_field_holds_an_events_delegate_included()
    {
        if (!RuntimeGivesSlots)
        {
            Assert.False(StaticSlots.IsAvailable);
            Assert.Null(StaticSlots.Current());
            return;
        }

        LiveProbes.Items.Add(new LiveProbe());
        Publisher.Tick += OnTick;
        try
        {
            var slots = StaticSlots.Current();
            Assert.NotNull(slots);
            output.WriteLine($"{slots.Length} static reference fields with storage");

            var items = SlotOf(slots, typeof(LiveProbes).FullName + "." + nameof(LiveProbes.Items));
            Assert.Same(LiveProbes.Items, Held(items));

            var tick = SlotOf(slots, typeof(Publisher).FullName + "." + nameof(Publisher.Tick));
            Assert.IsType<EventHandler>(Held(tick));

            // Slots never move: a compacting GC moves the objects, not the slots that hold them.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            Assert.Equal(items, SlotOf(StaticSlots.Current()!, items.Name));
            Assert.Same(LiveProbes.Items, Held(items));

            // None of MemAssert's own or of the libraries it brings in (resolving ClrMD's fields loaded Azure.Core, whose
            // fields loaded System.Text.Json and more: each snapshot added assemblies to the process it measured).
            Assert.DoesNotContain(slots, s => s.Name.StartsWith("Microsoft.Diagnostics.Runtime.", StringComparison.Ordinal));
            Assert.DoesNotContain(slots, s => s.Name.StartsWith(typeof(StaticSlots).FullName!, StringComparison.Ordinal));
            var loaded = AppDomain.CurrentDomain.GetAssemblies().Length;
            _ = StaticSlots.Current();
            Assert.Equal(loaded, AppDomain.CurrentDomain.GetAssemblies().Length);

            // No generic type's statics, no thread statics.
            ThreadStaticHolder.PerThread = new object();
            Assert.DoesNotContain(slots, s => s.Name.Contains('`', StringComparison.Ordinal));
            Assert.DoesNotContain(slots, s => s.Name == typeof(ThreadStaticHolder).FullName + "." + nameof(ThreadStaticHolder.PerThread));
        }
        finally
        {
            Publisher.Tick -= OnTick;
        }

        static void OnTick(object? sender, EventArgs e)
        {
        }
    }

    [Fact]
    public void Finding_the_slots_runs_no_class_constructor()
    {
        var name = typeof(NotYetInitialized).FullName + "." + nameof(NotYetInitialized.Value);
        var before = StaticSlots.Current();
        Assert.False(ClassConstructorRuns.NotYetInitialized);
        if (!RuntimeGivesSlots)
        {
            Assert.Null(before);
            return;
        }

        Assert.NotNull(before);

        // The storage may exist before the class is initialised (the JIT creates it when it compiles a method that uses
        // the field, as this one does); its slot then holds nothing yet.
        Assert.All(before.Where(s => s.Name == name), s => Assert.Null(Held(s)));

        // Once the class is used, its slot holds what the class constructor stored.
        var value = NotYetInitialized.Value;
        Assert.True(ClassConstructorRuns.NotYetInitialized);
        Assert.Same(value, Held(SlotOf(StaticSlots.Current()!, name)));
    }

    [Fact]
    public void Where_the_slots_cannot_be_found_auto_takes_the_dump_route()
    {
        // There the live walk would ask the DAC for the statics, which stopped responding in busy test hosts.
        Assert.Equal(LiveRoute.IsSupported && RuntimeGivesSlots ? SnapshotRoute.Live : SnapshotRoute.Dump, SnapshotRoutes.PreferredFor(keepIn: null));
        StaticSlots.Disabled = true;
        Assert.False(StaticSlots.IsAvailable);
        Assert.Equal(SnapshotRoute.Dump, SnapshotRoutes.PreferredFor(keepIn: null));

        // And says why, in a check's report and in a snapshot's note; a file to keep is reason enough on its own.
        var why = SnapshotRoutes.LiveNotTakenReason(keepIn: null);
        Assert.NotNull(why);
        Assert.Contains("static fields' slots", why, StringComparison.Ordinal);
        Assert.Null(SnapshotRoutes.LiveNotTakenReason(keepIn: Path.GetTempPath()));
        Assert.Equal(why, CheckEnvironment.Process.LiveNotTakenReason!(null));
        using var snapshot = HeapSnapshot.Take(SnapshotRoute.Auto);
        Assert.Equal(SnapshotRoute.Dump, snapshot.Route);
        Assert.Equal($"the live route was unavailable ({why}), so the dump route was used", snapshot.Note);
    }

    [Fact]
    public void Live_walk_names_static_roots_from_the_slots_and_from_clrmd_where_slots_cannot_be_found()
    {
        LiveProbes.Items.Add(new LiveProbe());
        var probe = typeof(LiveProbe).FullName!;
        var expected = "static field " + typeof(LiveProbes).FullName + "." + nameof(LiveProbes.Items);
        foreach (var disabled in new[] { false, true })
        {
            StaticSlots.Disabled = disabled;
            using var snapshot = HeapSnapshot.Take(SnapshotRoute.Live);
            var path = Assert.Single(snapshot.FindRetentionPaths(probe, 1));
            output.WriteLine($"disabled={disabled}: {path.RootKind} {path.RootName}");
            Assert.Equal(RootKind.StaticField, path.RootKind);
            Assert.Equal(expected, path.RootName);
        }
    }
}

internal static class ClassConstructorRuns
{
    public static volatile bool NotYetInitialized;
}

/// <summary>Has an explicit class constructor, so it runs exactly when the class is first used; no test but one uses it.</summary>
internal static class NotYetInitialized
{
    public static readonly object Value;

    static NotYetInitialized()
    {
        Value = new object();
        ClassConstructorRuns.NotYetInitialized = true;
    }
}

internal static class ThreadStaticHolder
{
    [ThreadStatic]
    public static object? PerThread;
}
