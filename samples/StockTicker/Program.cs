using StockTicker;
using Tether.Server;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddPersistentConnections();
builder.Services.AddSingleton<Market>();
builder.Services.Configure<TickerOptions>(builder.Configuration.GetSection("Ticker"));
builder.Services.AddHostedService<TickerService>();

var app = builder.Build();
app.MapPersistentConnection<StockTickerConnection>("/ticker");
app.MapGet("/", () => "Stock ticker: connect a classic SignalR client to /ticker.");
app.Run();
