namespace Tether.Protocol;

/// <summary>The single-letter keys of the persistent-response envelope, in the order the classic server writes them.</summary>
public static class PersistentResponseKeys
{
    /// <summary><c>C</c>: the cursor (message id), an opaque string the client sends back as <c>messageId</c>.</summary>
    public const string Cursor = "C";

    /// <summary><c>S</c>: present (as the integer 1) only on the init message that answers <c>/connect</c>.</summary>
    public const string Initialized = "S";

    /// <summary><c>T</c>: present (as the integer 1) when the server is shutting down and the client should reconnect.</summary>
    public const string ShouldReconnect = "T";

    /// <summary><c>G</c>: the new groups token, sent only after this connection's group set changed.</summary>
    public const string GroupsToken = "G";

    /// <summary><c>L</c>: long-polling delay in milliseconds before the next poll.</summary>
    public const string LongPollDelay = "L";

    /// <summary><c>M</c>: the array of messages, each a raw JSON value.</summary>
    public const string Messages = "M";

    /// <summary><c>E</c>: a global error; the client raises an error and disconnects.</summary>
    public const string Error = "E";

    /// <summary><c>I</c>: at the top level, marks a hub result rather than a persistent response.</summary>
    public const string HubResultId = "I";
}
