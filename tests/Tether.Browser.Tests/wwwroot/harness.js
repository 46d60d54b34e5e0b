// Test harness for Tether.Browser.Tests: drives the official jQuery SignalR client and records everything it sees.
// Every function is called by the C# tests through page.EvaluateAsync and returns a promise (or a plain value).
// Nothing here waits on a clock: promises resolve on client events, and the C# side bounds every await.
(function (window, $) {
    "use strict";

    var connections = {};
    var nextHandle = 1;
    var stateNames = {};
    $.each($.signalR.connectionState, function (name, value) { stateNames[value] = name; });

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

    function get(handle) {
        var record = connections[handle];
        if (!record) {
            throw new Error("No connection with handle " + handle + ".");
        }

        return record;
    }

    // Re-checks every pending wait of a record; each wait is a predicate over the record plus its resolver.
    function check(record) {
        record.waiters = record.waiters.filter(function (waiter) {
            if (waiter.done(record)) {
                waiter.resolve(waiter.result(record));
                return false;
            }

            return true;
        });
    }

    function waitUntil(record, done, result) {
        return new Promise(function (resolve) {
            var waiter = { done: done, result: result, resolve: resolve };
            if (done(record)) {
                resolve(result(record));
            } else {
                record.waiters.push(waiter);
            }
        });
    }

    function count(record, name) {
        return record.events.filter(function (e) { return e === name; }).length;
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
        var handle = nextHandle++;
        var connection = $.connection(url);
        var record = {
            handle: handle,
            connection: connection,
            events: [],
            received: [],
            errors: [],
            waiters: [],
            connectionId: null,
            transport: null
        };
        connections[handle] = record;

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
