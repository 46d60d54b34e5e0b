using Microsoft.AspNetCore.Http;

namespace Tether.Server.Internal;

/// <summary>A request refused with 400 and a reason the client may read (e.g. a hub's bad <c>connectionData</c>).</summary>
internal sealed class RequestRejectedException(string reason) : BadHttpRequestException(reason, StatusCodes.Status400BadRequest);
