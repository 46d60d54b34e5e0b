using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tether.Redis.Internal;
using Tether.Server;

namespace Tether.Redis.Tests;

/// <summary>
/// Tether's tokens in a farm: a key ring of Tether's own in Redis (optionally encrypted at rest) that leaves the
/// application's Data Protection alone, or, with sharing off, the application's key ring.
/// </summary>
public sealed class DataProtectionTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private const string UnencryptedMarker = "the key below is in an unencrypted form";
    private const string NoEncryptorWarning = "No XML encryptor configured";

    [Fact]
    public async Task KeysEncryptedWithACertificate_AreNotInClearInRedis_NothingWarns_AndTokensCrossNodes()
    {
        using var certificate = CreateCertificate();
        var log = new CapturingLoggerProvider();
        await using var cluster = await Cluster.StartAsync(redis.Server, 2, configureRedis: o => o.ConfigureDataProtection = b => b.ProtectKeysWithCertificate(certificate), logging: log);

        string token = await NegotiateAsync(cluster[0]);

        Assert.Equal(HttpStatusCode.OK, await AbortAsync(cluster[1], token));
        var keys = await ReadKeyRingAsync(cluster.Prefix);
        Assert.NotEmpty(keys);
        Assert.All(keys, key =>
        {
            Assert.Contains("encryptedSecret", key, StringComparison.Ordinal);
            Assert.DoesNotContain(UnencryptedMarker, key, StringComparison.Ordinal);
        });
        Assert.DoesNotContain(log.Messages, m => m.Contains(NoEncryptorWarning, StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeysWithoutAnEncryptor_AreInClear_AndDataProtectionSaysSo()
    {
        var log = new CapturingLoggerProvider();
        await using var cluster = await Cluster.StartAsync(redis.Server, 1, logging: log);

        await NegotiateAsync(cluster[0]);

        Assert.Contains(await ReadKeyRingAsync(cluster.Prefix), key => key.Contains(UnencryptedMarker, StringComparison.Ordinal));
        Assert.Contains(log.Messages, m => m.Contains(NoEncryptorWarning, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddRedis_LeavesTheApplicationsDataProtectionAsItWas()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 1);
        var services = cluster[0].Services;

        Assert.Null(services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.XmlRepository);
        Assert.NotEqual("Tether", services.GetRequiredService<IOptions<DataProtectionOptions>>().Value.ApplicationDiscriminator);
        Assert.NotSame(services.GetRequiredService<IDataProtectionProvider>(), services.GetRequiredService<SharedTokenKeyRing>().Provider);
    }

    [Theory]
    [InlineData(true, HttpStatusCode.OK)]
    [InlineData(false, HttpStatusCode.BadRequest)]
    public async Task WithSharingOff_TokensCrossNodesOnlyWhenTheApplicationSharesItsKeys(bool applicationSharesKeys, HttpStatusCode expected)
    {
        var shared = new EphemeralDataProtectionProvider();
        await using var cluster = await Cluster.StartAsync(
            redis.Server,
            2,
            configureRedis: o => o.ShareDataProtectionKeys = false,
            configureServices: s => s.AddSingleton<IDataProtectionProvider>(applicationSharesKeys ? shared : new EphemeralDataProtectionProvider()));

        string token = await NegotiateAsync(cluster[0]);

        Assert.Equal(expected, await AbortAsync(cluster[1], token));
        Assert.Empty(await ReadKeyRingAsync(cluster.Prefix));
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Tether key ring test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
    }

    private static async Task<string> NegotiateAsync(TestServer node)
    {
        using var http = new HttpClient();
        string body = await http.GetStringAsync(node.Url("/echo/negotiate?clientProtocol=2.1")).DefaultTimeout();
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("ConnectionToken").GetString()!;
    }

    /// <summary>An abort with the token: 200 when the node can read the token, 400 when it cannot.</summary>
    private static async Task<HttpStatusCode> AbortAsync(TestServer node, string token)
    {
        using var http = new HttpClient();
        using var content = new StringContent(string.Empty);
        using var response = await http.PostAsync(node.Url("/echo/abort?transport=longPolling&clientProtocol=2.1&connectionToken=" + Uri.EscapeDataString(token)), content).DefaultTimeout();
        return response.StatusCode;
    }

    private async Task<string[]> ReadKeyRingAsync(string prefix)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Server.Configuration).DefaultTimeout();
        var values = await connection.GetDatabase().ListRangeAsync(SharedTokenKeyRing.KeyOf(prefix)).DefaultTimeout();
        return values.Select(v => (string)v!).ToArray();
    }

    /// <summary>Keeps every log message of the nodes.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _messages = new();

        public IReadOnlyCollection<string> Messages => _messages.ToArray();

        public ILogger CreateLogger(string categoryName) => new Logger(_messages);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue(formatter(state, exception));
        }
    }
}
