using System.Buffers.Binary;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Hostile;

/// <summary>WebSocket frames by hand over a socket, for frames ClientWebSocket refuses to send (bad opcodes, no mask, reserved bits).</summary>
internal static class RawWebSocket
{
    /// <summary>Frames no conforming client sends; each must make the server end the connection.</summary>
    private static readonly Func<Random, byte[]>[] s_malformed =
    [
        r => Frame(0x83, Payload(r), masked: true), // reserved data opcode
        r => Frame(0x8B, [], masked: true), // reserved control opcode
        r => Frame(0x81, Payload(r), masked: false), // a client frame without a mask
        r => Frame((byte)(0x81 | (0x10 << r.Next(3))), Payload(r), masked: true), // RSV1/2/3 without an extension
        r => Frame(0x80, Payload(r), masked: true), // a continuation with nothing to continue
        r => [.. Frame(0x01, Payload(r), masked: true), .. Frame(0x81, Payload(r), masked: true)], // a new message inside a fragmented one
        r => Frame(0x09, [], masked: true), // a fragmented control frame (ping without FIN)
        r => Frame(0x89, new byte[126 + r.Next(100)], masked: true), // a control frame over 125 bytes
        r => Frame(0x88, [3], masked: true), // a close frame with a one-byte status
        r => [0x81, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4], // a 64-bit length with its top bit set
    ];

    /// <summary>Opens <paramref name="count"/> connections, each sending the upgrade and one random malformed frame; the server must close each.</summary>
    /// <returns>The number of malformed frames sent.</returns>
    public static async Task<int> SendMalformedFramesAsync(TestServer server, Random random, int count)
    {
        for (int i = 0; i < count; i++)
        {
            using var client = new ProtocolClient(server, "/events");
            await client.NegotiateOrFailAsync();
            await using var raw = await RawHttp.ConnectAsync(server);
            string upgrade = $"GET {client.Url("connect", ProtocolClient.WebSockets)} HTTP/1.1\r\nHost: {server.BaseUri.Authority}\r\n" +
                "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
            await raw.WriteAsync(upgrade);
            await raw.WriteAsync(s_malformed[i % s_malformed.Length](random));

            // The server answers the upgrade, then ends the connection instead of waiting for more. ASP.NET Core's
            // WebSocket resets it on a protocol error, which may discard the 101 before this side reads it.
            string response = await raw.ResponseAsync();
            Assert.True(response.Length == 0 || RawHttp.StatusOf(response) == 101, response);
        }

        return count;
    }

    private static byte[] Payload(Random random)
    {
        var payload = new byte[random.Next(1, 40)];
        random.NextBytes(payload);
        return payload;
    }

    private static byte[] Frame(byte first, byte[] payload, bool masked)
    {
        var frame = new List<byte> { first };
        byte maskBit = masked ? (byte)0x80 : (byte)0;
        if (payload.Length < 126)
        {
            frame.Add((byte)(maskBit | payload.Length));
        }
        else
        {
            frame.Add((byte)(maskBit | 126));
            var length = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)payload.Length);
            frame.AddRange(length);
        }

        byte[] mask = masked ? [0x37, 0xFA, 0x21, 0x3D] : [];
        frame.AddRange(mask);
        frame.AddRange(payload.Select((b, i) => masked ? (byte)(b ^ mask[i % 4]) : b));
        return [.. frame];
    }
}
