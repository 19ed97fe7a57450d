using System.Threading.Tasks.Sources;

namespace Duplex;

public sealed partial class WebSocketConnection
{
    /// <summary>
    /// What a message receive on a plain socket waits with when nothing has arrived: one object
    /// per connection, reused for every wait, that resumes the receive when the socket becomes
    /// readable. The socket's own wait allocates nothing, so neither does a receive that waits;
    /// an async method here would take a pooled state machine box per wait, and allocate when the
    /// pool is empty on the thread it resumes on.
    /// </summary>
    private sealed class MessageWait : IValueTaskSource<WebSocketMessage>
    {
        private readonly WebSocketConnection _connection;
        private readonly Action _continue;
        private ManualResetValueTaskSourceCore<WebSocketMessage> _core;
        private ValueTask<int> _readable;
        private ValueTask<WebSocketMessage> _fullPath;
        private bool _onFullPath;
        private CancellationToken _cancellationToken;
        private int _pending;

        public MessageWait(WebSocketConnection connection)
        {
            _connection = connection;
            _continue = Continue;
        }

        /// <summary>Whether a receive is waiting here (a second receive at the same time is a caller's error).</summary>
        public bool Pending => Volatile.Read(ref _pending) != 0;

        /// <summary>Starts waiting for <paramref name="readable"/>; the returned task completes with the message.</summary>
        public ValueTask<WebSocketMessage> Start(ValueTask<int> readable, CancellationToken cancellationToken)
        {
            _core.Reset();
            short version = _core.Version;
            _cancellationToken = cancellationToken;
            _onFullPath = false;
            Volatile.Write(ref _pending, 1);
            _readable = readable;
            readable.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_continue);
            return new ValueTask<WebSocketMessage>(this, version);
        }

        private void Continue()
        {
            if (_onFullPath)
            {
                CompleteFromFullPath();
                return;
            }

            bool ready = _connection.ObserveReadable(_readable);
            _readable = default;
            WebSocketConnection connection = _connection;
            ValueTask<WebSocketMessage> task;
            try
            {
                if (!ready)
                {
                    task = connection.ReceiveMessageAsync(_cancellationToken);
                }
                else
                {
                    switch (connection.ReceiveStep(_cancellationToken, out WebSocketMessage message, out task, out ValueTask<int> readable))
                    {
                        case ReceiveStepResult.Message:
                            Complete(message);
                            return;
                        case ReceiveStepResult.Wait:
                            // Registering is the last thing done here: the continuation may run at once on another thread.
                            _readable = readable;
                            readable.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_continue);
                            return;
                    }
                }
            }
            catch (Exception ex)
            {
                Fail(ex);
                return;
            }

            _fullPath = task;
            if (task.IsCompleted)
            {
                CompleteFromFullPath();
                return;
            }

            _onFullPath = true;
            task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_continue);
        }

        private void CompleteFromFullPath()
        {
            WebSocketMessage message;
            try
            {
                message = _fullPath.GetAwaiter().GetResult();
            }
            catch (Exception ex)
            {
                _fullPath = default;
                Fail(ex);
                return;
            }

            _fullPath = default;
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
