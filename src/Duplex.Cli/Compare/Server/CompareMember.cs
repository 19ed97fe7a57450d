using Duplex.Realtime;

namespace Duplex.Cli.Compare.Server;

/// <summary>One session in a run group: the client index it said in its hello.</summary>
internal sealed record CompareMember(RealtimeSession Session, long Client);
