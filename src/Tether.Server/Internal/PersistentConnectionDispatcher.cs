using Microsoft.AspNetCore.Http;

namespace Tether.Server.Internal;

internal sealed class PersistentConnectionDispatcher<TConnection>
    where TConnection : PersistentConnection
{
    private readonly int _placeholder = 1;

    public Task ProcessRequestAsync(HttpContext context) => Task.FromResult(_placeholder);
}
