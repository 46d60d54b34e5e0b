using System;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNet.SignalR.Infrastructure;

namespace Tether.ClassicServer;

/// <summary>
/// Protects connection and groups tokens with an HMAC-SHA256 tag under a per-process random key. On Mono, SignalR's
/// default protector (DPAPI emulation) costs about 7 ms of CPU per request, which would dominate every test; this one
/// costs microseconds and still rejects tampered or foreign tokens as the default does. Tokens are opaque to clients.
/// </summary>
internal sealed class FastProtectedData : IProtectedData
{
    private const int TagLength = 16;
    private readonly byte[] _key = new byte[32];

    public FastProtectedData()
    {
        using var random = RandomNumberGenerator.Create();
        random.GetBytes(_key);
    }

    public string Protect(string data, string purpose)
    {
        byte[] payload = Encoding.UTF8.GetBytes(data);
        byte[] tag = Tag(purpose, payload);
        byte[] result = new byte[TagLength + payload.Length];
        Buffer.BlockCopy(tag, 0, result, 0, TagLength);
        Buffer.BlockCopy(payload, 0, result, TagLength, payload.Length);
        return Convert.ToBase64String(result);
    }

    public string Unprotect(string protectedValue, string purpose)
    {
        byte[] bytes = Convert.FromBase64String(protectedValue);
        if (bytes.Length < TagLength)
        {
            throw new CryptographicException("The protected value is too short.");
        }

        byte[] payload = new byte[bytes.Length - TagLength];
        Buffer.BlockCopy(bytes, TagLength, payload, 0, payload.Length);
        byte[] expected = Tag(purpose, payload);
        int difference = 0;
        for (int i = 0; i < TagLength; i++)
        {
            difference |= expected[i] ^ bytes[i];
        }

        if (difference != 0)
        {
            throw new CryptographicException("The protected value was not produced by this server for this purpose.");
        }

        return Encoding.UTF8.GetString(payload);
    }

    private byte[] Tag(string purpose, byte[] payload)
    {
        using var hmac = new HMACSHA256(_key);
        byte[] purposeBytes = Encoding.UTF8.GetBytes(purpose + "\0");
        hmac.TransformBlock(purposeBytes, 0, purposeBytes.Length, null, 0);
        hmac.TransformFinalBlock(payload, 0, payload.Length);
        return hmac.Hash;
    }
}
