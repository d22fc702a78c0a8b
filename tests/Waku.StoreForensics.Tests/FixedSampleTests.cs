using CsCheck;

namespace Waku.StoreForensics.Tests;

public class FixedSampleTests
{
    private static readonly Gen<int[]> Arrays = Gen.Int.Array[1, 20];

    [Fact]
    public void Cases_FromTheSameSeed_AreTheSameEveryRun()
    {
        var first = FixedSample.Cases(Arrays, PCG.Parse("0N0XIzNsQ0O2"), 50).Select(c => c.Value).ToList();
        var second = FixedSample.Cases(Arrays, PCG.Parse("0N0XIzNsQ0O2"), 50).Select(c => c.Value).ToList();

        Assert.Equal(first, second);
        Assert.True(first.Distinct(new SequenceComparer()).Count() > 40, "the cases should differ from each other");
    }

    [Fact]
    public void Case_FromTheSeedItWasNamedBy_RegeneratesIt()
    {
        foreach (var (caseSeed, value) in FixedSample.Cases(Arrays, PCG.Parse("3ccFJW0m4G17"), 20))
        {
            Assert.Equal(value, FixedSample.Case(Arrays, caseSeed));
        }
    }

    [Fact]
    public void Run_AFailingCase_NamesItsSeed()
    {
        var e = Assert.Throws<FixedSampleException>(() => FixedSample.Run(Gen.Int[0, 9], v => Assert.NotEqual(7, v), iter: 500, seed: "0N0XIzNsQ0O2"));

        string caseSeed = e.Message.Split("FIXED_SAMPLE_CASE=")[1].Split(':')[0];
        Assert.Equal(7, FixedSample.Case(Gen.Int[0, 9], caseSeed));
    }

    private sealed class SequenceComparer : IEqualityComparer<int[]>
    {
        public bool Equals(int[]? x, int[]? y) => x!.SequenceEqual(y!);

        public int GetHashCode(int[] obj) => obj.Length;
    }
}
