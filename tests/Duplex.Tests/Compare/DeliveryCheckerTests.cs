using Duplex.Cli.Compare;
using Duplex.Cli.Compare.Measure;

namespace Duplex.Tests.Compare;

/// <summary>The delivery checker on deliveries a test makes up: each fault injected is found and counted, and nothing else.</summary>
public sealed class DeliveryCheckerTests
{
    [Fact]
    public void Every_message_once_and_in_order_is_clean()
    {
        var checker = new DeliveryChecker();
        checker.Expect("c1<-c0:chat", 5);
        checker.Expect("c1<-server:ticker", 3);
        for (int n = 0; n < 5; n++)
        {
            checker.Record("c1<-c0:chat", n);
            if (n < 3)
            {
                checker.Record("c1<-server:ticker", n);
            }
        }

        Assert.Equal(new Integrity(8, 8, 0, 0, 0), checker.Result());
        Assert.True(checker.Result().Clean);
    }

    [Fact]
    public void A_lost_message_is_counted_lost()
    {
        var checker = new DeliveryChecker();
        checker.Expect("c1<-c0:chat", 5);
        foreach (long n in new long[] { 0, 1, 3, 4 })
        {
            checker.Record("c1<-c0:chat", n);
        }

        // A stream told due but never delivered loses every message.
        checker.Expect("c2<-c0:chat", 2);

        Assert.Equal(new Integrity(7, 4, 3, 0, 0), checker.Result());
    }

    [Fact]
    public void A_duplicated_message_is_counted_once_as_delivered_and_once_as_duplicate()
    {
        var checker = new DeliveryChecker();
        checker.Expect("s", 3);
        foreach (long n in new long[] { 0, 1, 1, 2, 2, 2 })
        {
            checker.Record("s", n);
        }

        Assert.Equal(new Integrity(3, 3, 0, 3, 0), checker.Result());
    }

    [Fact]
    public void A_reordered_message_is_counted_and_a_late_duplicate_is_not_reordered()
    {
        var checker = new DeliveryChecker();
        checker.Expect("s", 6);
        foreach (long n in new long[] { 0, 2, 1, 5, 3, 4, 1 })
        {
            checker.Record("s", n);
        }

        // 1 after 2, 3 and 4 after 5: three out of order; the second 1 is a duplicate only.
        Assert.Equal(new Integrity(6, 6, 0, 1, 3), checker.Result());
    }

    [Fact]
    public void Streams_are_judged_apart_and_deliveries_may_come_before_the_expectation()
    {
        var checker = new DeliveryChecker();
        checker.Record("a", 1);
        checker.Record("b", 0);
        checker.Record("a", 0);
        checker.Record("b", 1);
        checker.Record("a", 7);
        checker.Expect("a", 2);
        checker.Expect("b", 2);

        Assert.Equal(new Integrity(4, 4, 0, 0, 1), checker.Result());
        Assert.Equal(1, checker.Unexpected);
    }

    [Fact]
    public async Task Records_from_many_threads_are_all_counted()
    {
        var checker = new DeliveryChecker();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(receiver => Task.Run(() =>
        {
            string stream = $"c{receiver}<-server:ticker";
            checker.Expect(stream, 1000);
            for (int n = 0; n < 1000; n++)
            {
                checker.Record(stream, n);
            }
        })));

        Assert.Equal(new Integrity(8000, 8000, 0, 0, 0), checker.Result());
    }
}
