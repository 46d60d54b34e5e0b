namespace Tether.Server;

/// <summary>Chooses the user id that <c>Clients.User(id)</c> addresses. Register your own in dependency injection.</summary>
/// <remarks>The default uses the authenticated user's name (<see cref="System.Security.Principal.IIdentity.Name"/>).</remarks>
public interface IUserIdProvider
{
    /// <summary>The user id of the request's user, or <see langword="null"/> for none.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The user id.</returns>
    string? GetUserId(IRequest request);
}
