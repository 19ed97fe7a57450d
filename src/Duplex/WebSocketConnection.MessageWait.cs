using System.Threading.Tasks.Sources;

namespace Duplex;

public sealed partial class WebSocketConnection
{
    /// <summary>
    /// What a message receive on a plain socket waits with when nothing has arrived: one object
    /// per connection, reused for every wait, that resumes the receive when the socket becomes
    /// readable (or a write of buffered output it waits behind is done). The socket's own wait
    /// allocates nothing, so neither does a receive that waits; an async method here would take a
    /// pooled state machine box per wait, and allocate when the pool is empty on the thread it
    /// resumes on.
    /// </summary>
    private sealed class MessageWait : IValueTaskSource<WebSocketMessage>
    {
        private readonly WebSocketConnection _connection;
        private readonly Action _continue;
        private ManualResetValueTaskSourceCore<WebSocketMessage> _core;
        private Stage _stage;
        private ValueTask<int> _readable;
        private ValueTask _drain;
        private ValueTask<WebSocketMessage> _fullPath;
        private CancellationToken _cancellationToken;
        private int _pending;

        public MessageWait(WebSocketConnection connection)
        {
            _connection = connection;
            _continue = Continue;
        }

        private enum Stage
        {
            /// <summary>Waiting for the socket to become readable.</summary>
            Readable,

            /// <summary>Waiting for buffered output to be written.</summary>
            Drain,

            /// <summary>Waiting for the full receive path.</summary>
            FullPath,
        }

        /// <summary>Whether a receive is waiting here (a second receive at the same time is a caller's error).</summary>
        public bool Pending => Volatile.Read(ref _pending) != 0;

        /// <summary>Starts waiting for <paramref name="readable"/>; the returned task completes with the message.</summary>
        public ValueTask<WebSocketMessage> Start(ValueTask<int> readable, CancellationToken cancellationToken)
        {
            _core.Reset();
            short version = _core.Version;
            _cancellationToken = cancellationToken;
            Volatile.Write(ref _pending, 1);
            AwaitReadable(readable);
            return new ValueTask<WebSocketMessage>(this, version);
        }

        // Each Await* registers the continuation as its last act: it may run at once on another thread.
        private void AwaitReadable(ValueTask<int> readable)
        {
            _stage = Stage.Readable;
            _readable = readable;
            readable.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_continue);
        }

        private void AwaitDrain(ValueTask drain)
        {
            _stage = Stage.Drain;
            _drain = drain;
            drain.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_continue);
        }

        private void AwaitFullPath(ValueTask<WebSocketMessage> task)
        {
            _stage = Stage.FullPath;
            _fullPath = task;
            task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_continue);
        }

        private void Continue()
        {
            if (_stage == Stage.FullPath)
            {
                CompleteFromFullPath();
                return;
            }

            WebSocketConnection connection = _connection;
            ValueTask<int> readable = _readable;
            ValueTask drain = _drain;
            _readable = default;
            _drain = default;
            bool ready = true;
            try
            {
                if (_stage == Stage.Readable)
                {
                    ready = connection.ObserveReadable(readable);
                }
                else
                {
                    connection.ObserveDrain(drain);
                }
            }
            catch (Exception ex)
            {
                Fail(ex);
                return;
            }

            if (ready)
            {
                Step();
            }
            else
            {
                // Canceled: the full path reports it.
                FollowFullPath(connection.ReceiveMessageAsync(_cancellationToken));
            }
        }

        /// <summary>Goes on receiving until the message is there or the next wait is registered.</summary>
        private void Step()
        {
            while (true)
            {
                WebSocketMessage message;
                ValueTask<WebSocketMessage> task;
                ValueTask<int> readable;
                ValueTask drain;
                ReceiveStepResult step;
                try
                {
                    step = _connection.ReceiveStep(_cancellationToken, out message, out task, out readable, out drain);
                }
                catch (Exception ex)
                {
                    Fail(ex);
                    return;
                }

                switch (step)
                {
                    case ReceiveStepResult.Message:
                        Complete(message);
                        return;
                    case ReceiveStepResult.Wait:
                        AwaitReadable(readable);
                        return;
                    case ReceiveStepResult.Drain when !drain.IsCompleted:
                        AwaitDrain(drain);
                        return;
                    case ReceiveStepResult.Drain:
                        try
                        {
                            _connection.ObserveDrain(drain);
                        }
                        catch (Exception ex)
                        {
                            Fail(ex);
                            return;
                        }

                        continue;
                    default:
                        FollowFullPath(task);
                        return;
                }
            }
        }

        private void FollowFullPath(ValueTask<WebSocketMessage> task)
        {
            if (task.IsCompleted)
            {
                _fullPath = task;
                CompleteFromFullPath();
            }
            else
            {
                AwaitFullPath(task);
            }
        }

        private void CompleteFromFullPath()
        {
            ValueTask<WebSocketMessage> task = _fullPath;
            _fullPath = default;
            WebSocketMessage message;
            try
            {
                message = task.GetAwaiter().GetResult();
            }
            catch (Exception ex)
            {
                Fail(ex);
                return;
            }

            Complete(message);
        }

        private void Complete(WebSocketMessage message)
        {
            // No longer pending before the caller's continuation runs (inline): it may receive again at once.
            Volatile.Write(ref _pending, 0);
            _core.SetResult(message);
        }

        private void Fail(Exception error)
        {
            Volatile.Write(ref _pending, 0);
            _core.SetException(error);
        }

        public WebSocketMessage GetResult(short token) => _core.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
