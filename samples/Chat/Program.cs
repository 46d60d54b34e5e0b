using Chat;
using Microsoft.Extensions.FileProviders;
using Tether.Redis;
using Tether.Server;

// Options: --urls http://127.0.0.1:5000, and --Redis HOST:PORT to join the nodes that share that Redis.
var builder = WebApplication.CreateBuilder(args);
var persistentConnections = builder.Services.AddPersistentConnections();
string? redis = builder.Configuration["Redis"];
if (redis is not null)
{
    persistentConnections.AddRedis(redis);
}

var app = builder.Build();
app.UseDefaultFiles();
app.UseStaticFiles();

// The official jQuery client, from this sample's node_modules (npm ci).
string scripts = Path.Combine(app.Environment.ContentRootPath, "node_modules");
if (Directory.Exists(Path.Combine(scripts, "signalr")))
{
    app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(Path.Combine(scripts, "jquery", "dist")), RequestPath = "/lib" });
    app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(Path.Combine(scripts, "signalr")), RequestPath = "/lib" });
}
else
{
    app.Logger.LogWarning("The jQuery client is missing: run `npm ci` in {Folder} first.", app.Environment.ContentRootPath);
}

app.MapPersistentConnection<ChatConnection>("/chat");
app.MapGet("/node", () => redis is null ? "single node" : $"node of the cluster on Redis {redis}");
app.Run();
