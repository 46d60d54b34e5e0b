// Test harness for Tether.Browser.Tests: drives the official jQuery SignalR client and records everything it sees.
// Every function is called by the C# tests through page.EvaluateAsync and returns a promise (or a plain value).
// Nothing here waits on a clock: promises resolve on client events, and the C# side bounds every await.
(function (window, $) {
    "use strict";

    var core = window.harnessCore;
    var connections = core.registry("connection");
    var get = connections.get;
    var check = core.check;
    var waitUntil = core.waitUntil;
    var count = core.count;
    var stateNames = core.stateNames;

    function describeError(error) {
        if (!error) {
            return "(no error)";
        }

        var text = error.message || String(error);
        if (error.source && error.source.status !== undefined) {
            text += " [status " + error.source.status + "]";
        }

        return text;
    }

    function snapshot(record) {
        var c = record.connection;
        return {
            handle: record.handle,
            connectionId: c.id || record.connectionId || null,
            transport: c.transport ? c.transport.name : record.transport,
            state: stateNames[c.state],
            events: record.events.slice(),
            received: record.received.slice(),
            errors: record.errors.slice()
        };
    }

    // Creates a connection to `url` with logging and recorders, and starts it with `transport`
    // (a name, an array of names, or "auto"). Resolves with a snapshot, including `startError` when the start failed.
    window.startConnection = function (url, transport) {
        var connection = $.connection(url);
        var record = connections.add({
            connection: connection,
            events: [],
            received: [],
            errors: [],
            connectionId: null,
            transport: null
        });

        connection.logging = true;
        connection.starting(function () { record.events.push("starting"); check(record); });
        connection.received(function (data) { record.received.push(data); check(record); });
        connection.stateChanged(function (change) {
            record.events.push("state:" + stateNames[change.oldState] + "->" + stateNames[change.newState]);
            check(record);
        });
        connection.reconnecting(function () { record.events.push("reconnecting"); check(record); });
        connection.reconnected(function () { record.events.push("reconnected"); check(record); });
        connection.connectionSlow(function () { record.events.push("connectionSlow"); check(record); });
        connection.disconnected(function () { record.events.push("disconnected"); check(record); });
        connection.error(function (error) {
            record.events.push("error");
            record.errors.push(describeError(error));
            check(record);
        });

        var options = transport && transport !== "auto" ? { transport: transport } : {};
        return new Promise(function (resolve) {
            connection.start(options)
                .done(function () {
                    record.connectionId = connection.id;
                    record.transport = connection.transport ? connection.transport.name : null;
                    resolve(snapshot(record));
                })
                .fail(function (error) {
                    var result = snapshot(record);
                    result.startError = describeError(error);
                    resolve(result);
                });
        });
    };

    window.sendMessage = function (handle, data) {
        get(handle).connection.send(data);
        return true;
    };

    // Resolves with all received messages once at least `n` have arrived.
    window.waitForMessages = function (handle, n) {
        return waitUntil(get(handle), function (r) { return r.received.length >= n; }, function (r) { return r.received.slice(); });
    };

    // Sends `data` and resolves with the first message received after the send that equals it (deep, as JSON).
    window.echo = function (handle, data) {
        var record = get(handle);
        var from = record.received.length;
        var expected = JSON.stringify(data);
        var promise = waitUntil(record, function (r) {
            return r.received.slice(from).some(function (m) { return JSON.stringify(m) === expected; });
        }, function (r) {
            return r.received.slice(from).filter(function (m) { return JSON.stringify(m) === expected; })[0];
        });
        record.connection.send(data);
        return promise;
    };

    // Echoes `n` messages, one after the other, and resolves with each round trip in milliseconds.
    window.timeEchoes = function (handle, n) {
        var times = [];
        function next(i) {
            if (i === n) {
                return Promise.resolve(times);
            }

            var started = performance.now();
            return window.echo(handle, "round trip " + i).then(function () {
                times.push(performance.now() - started);
                return next(i + 1);
            });
        }

        return next(0);
    };

    // Resolves with a snapshot once the named event has been seen `n` times (default once).
    window.waitForEvent = function (handle, name, n) {
        n = n || 1;
        return waitUntil(get(handle), function (r) { return count(r, name) >= n; }, snapshot);
    };

    // Stops the connection (POST /abort is sent by the client) and resolves with a snapshot after `disconnected`.
    window.stopConnection = function (handle) {
        var record = get(handle);
        var before = count(record, "disconnected");
        var promise = waitUntil(record, function (r) { return count(r, "disconnected") > before; }, snapshot);
        record.connection.stop();
        return promise;
    };

    window.connectionSnapshot = function (handle) {
        return snapshot(get(handle));
    };

    // A raw request from the page, to observe what the server answers (e.g. a transport the client never uses).
    window.rawRequest = function (method, url) {
        return fetch(url, { method: method, cache: "no-store" }).then(function (response) {
            return response.text().then(function (body) {
                return { status: response.status, body: body };
            });
        });
    };
}(window, window.jQuery));
