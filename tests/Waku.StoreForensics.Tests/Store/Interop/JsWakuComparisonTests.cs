using Waku.StoreForensics.Store;
using static Waku.StoreForensics.Tests.Store.Interop.JsWakuComparison;

namespace Waku.StoreForensics.Tests.Store.Interop;

/// <summary>The comparison's assertions fail on any difference a broken client could make (no js run needed).</summary>
public class JsWakuComparisonTests
{
    private static (List<StorePage> Ours, List<JsWakuMessage> Js) Agreeing()
    {
        var served = JsStorePeer.InStoreOrder(Messages().Where(m => m.PubsubTopic == Shard0)).Take(25).ToList();
        var messages = served.Select(m => new StoreMessage(m.Hash, m.PubsubTopic, true, m.ContentTopic, m.Payload, m.Version, m.Timestamp, m.Meta)).ToList();
        var pages = messages.Chunk(10).Select((chunk, i) => new StorePage(i + 1, chunk, [], null, 0)).ToList();
        var js = pages.SelectMany(p => p.Messages.Select(m => new JsWakuMessage(p.Number, JsWakuHash(m), m.PubsubTopic!, m.ContentTopic, m.Payload, m.Timestamp, m.Version, m.Meta, false))).ToList();
        return (pages, js);
    }

    private static JsWakuResult Result(List<JsWakuMessage> js) =>
        new(js, new JsWakuSummary("test", "test", js.Count, js.Select(m => m.Page).Distinct().Count(), 0, 1, js.Sum(m => (long)m.Payload.Length)));

    [Fact]
    public void AssertSamePages_Agreeing_Passes()
    {
        var (ours, js) = Agreeing();
        Assert.Contains(ours.SelectMany(p => p.Messages), m => m.Timestamp == 0);

        AssertSamePages(ours, Result(js));
    }

    [Theory]
    [InlineData("drop")]
    [InlineData("swap")]
    [InlineData("payload")]
    [InlineData("meta")]
    [InlineData("timestamp")]
    [InlineData("version")]
    [InlineData("page-boundary")]
    [InlineData("nwaku-hash-for-zero-timestamp")]
    public void AssertSamePages_OneDifference_Fails(string difference)
    {
        var (ours, js) = Agreeing();
        int i = 12;
        switch (difference)
        {
            case "drop": js.RemoveAt(i); break;
            case "swap": (js[i], js[i + 1]) = (js[i + 1], js[i]); break;
            case "payload": js[i] = js[i] with { Payload = [.. js[i].Payload, 0] }; break;
            case "meta": js[i] = js[i] with { Meta = js[i].Meta is null ? [1] : null }; break;
            case "timestamp": js[i] = js[i] with { Timestamp = js[i].Timestamp + 1 }; break;
            case "version": js[i] = js[i] with { Version = js[i].Version ^ 1 }; break;
            case "page-boundary": js[9] = js[9] with { Page = 2 }; break;
            default:
                int zero = js.FindIndex(m => m.Timestamp == 0);
                js[zero] = js[zero] with { MessageHash = ours.SelectMany(p => p.Messages).Single(m => m.Timestamp == 0).MessageHashHex };
                break;
        }

        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertSamePages(ours, Result(js)));
    }
}
