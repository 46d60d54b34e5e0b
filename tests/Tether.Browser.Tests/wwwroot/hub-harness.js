// Hub harness for Tether.Browser.Tests: drives the official jQuery SignalR client's hubs and records what they see.
// Every function is called by the C# tests through page.EvaluateAsync and returns a promise (or a plain value).
// Nothing here waits on a clock: promises resolve on client events, and the C# side bounds every await.
(function (window, $) {
    "use strict";

    var core = window.harnessCore;
    var hubs = core.registry("hub connection");
    var get = hubs.get;
    var check = core.check;
    var stateNames = core.stateNames;

    function waitUntil(record, done) {
        return core.waitUntil(record, done, snapshot);
    }

    function copy(value) {
        return value === undefined ? null : JSON.parse(JSON.stringify(value));
    }

    function snapshot(record) {
        var c = record.connection;
        return {
            handle: record.handle,
            connectionId: c.id || null,
            transport: c.transport ? c.transport.name : null,
            state: stateNames[c.state],
            events: record.events.slice(),
            calls: record.calls.slice(),
            errors: record.errors.slice(),
            hubState: copy(record.proxy.state),
            startError: record.startError
        };
    }

    function watch(record) {
        var connection = record.connection;
        connection.logging = true;
        connection.stateChanged(function (change) {
            record.events.push("state:" + stateNames[change.oldState] + "->" + stateNames[change.newState]);
            check(record);
        });
        connection.reconnecting(function () { record.events.push("reconnecting"); check(record); });
        connection.reconnected(function () { record.events.push("reconnected"); check(record); });
        connection.disconnected(function () { record.events.push("disconnected"); check(record); });
        connection.error(function (error) {
            record.events.push("error");
            record.errors.push(error && error.message ? error.message : String(error));
            check(record);
        });
    }

    function onAddMessage(record) {
        return function (name, message) {
            record.calls.push({ method: "addMessage", args: [name, message] });
            check(record);
        };
    }

    function start(record, transport) {
        var options = transport && transport !== "auto" ? { transport: transport } : {};
        return new Promise(function (resolve) {
            record.connection.start(options)
                .done(function () { resolve(snapshot(record)); })
                .fail(function (error) {
                    record.startError = error && error.message ? error.message : String(error);
                    resolve(snapshot(record));
                });
        });
    }

    // The generated proxy of /signalr/hubs: $.connection.hub, $.connection.chat.server / .client / .state.
    // `state` is copied into the hub's caller state before the start.
    window.startGeneratedHub = function (transport, state) {
        var chat = $.connection.chat;
        var record = hubs.add({
            connection: $.connection.hub, proxy: chat, generated: true,
            events: [], calls: [], errors: [], invocations: [], startError: null
        });
        chat.client.addMessage = onAddMessage(record);
        $.extend(chat.state, state || {});
        watch(record);
        return start(record, transport);
    };

    // No generated proxy: $.hubConnection(url) and createHubProxy("chat").
    window.startManualHub = function (url, transport, state) {
        var connection = $.hubConnection(url, { useDefaultPath: false });
        var proxy = connection.createHubProxy("chat");
        var record = hubs.add({
            connection: connection, proxy: proxy, generated: false,
            events: [], calls: [], errors: [], invocations: [], startError: null
        });
        proxy.on("addMessage", onAddMessage(record));
        $.extend(proxy.state, state || {});
        watch(record);
        return start(record, transport);
    };

    // Starts a call of a hub method: through the generated `server` object (camel-cased name) or proxy.invoke (the
    // hub's name). Returns the call's id, for waitForProgress and endInvoke.
    window.beginInvoke = function (handle, method, args) {
        var record = get(handle);
        var call = { progress: [], outcome: null, waiters: [] };
        var id = record.invocations.push(call) - 1;
        var deferred = record.generated
            ? record.proxy.server[method].apply(record.proxy.server, args)
            : record.proxy.invoke.apply(record.proxy, [method].concat(args));
        function settle(outcome) {
            outcome.progress = call.progress.slice();
            outcome.state = copy(record.proxy.state);
            call.outcome = outcome;
            notify(call);
        }

        deferred
            .progress(function (update) { call.progress.push(copy(update)); notify(call); })
            .done(function (result) { settle({ result: copy(result), error: null }); })
            .fail(function (error) {
                settle({ result: null, error: { message: error.message, source: error.source || null, data: copy(error.data) } });
            });
        return id;
    };

    function notify(call) {
        call.waiters = call.waiters.filter(function (waiter) { return !waiter(); });
    }

    function waitForCall(record, id, done) {
        var call = record.invocations[id];
        return new Promise(function (resolve) {
            var waiter = function () {
                if (done(call)) {
                    resolve(call.outcome || { progress: call.progress.slice() });
                    return true;
                }

                return false;
            };
            if (!waiter()) {
                call.waiters.push(waiter);
            }
        });
    }

    // Resolves with { progress } once the call reported at least `n` updates.
    window.waitForProgress = function (handle, id, n) {
        return waitForCall(get(handle), id, function (call) { return call.progress.length >= n; });
    };

    // Resolves with { result, progress, error: { message, source, data }, state } once the call settled.
    window.endInvoke = function (handle, id) {
        return waitForCall(get(handle), id, function (call) { return call.outcome !== null; });
    };

    window.invokeHub = function (handle, method, args) {
        return window.endInvoke(handle, window.beginInvoke(handle, method, args));
    };

    // Calls echo(text) `n` times, one after the other, and resolves with each round trip in milliseconds; rejects on
    // a wrong result.
    window.timeHubEchoes = function (handle, n) {
        var record = get(handle);
        var times = [];
        function next(i) {
            if (i === n) {
                return Promise.resolve(times);
            }

            var text = "round trip " + i;
            var started = performance.now();
            return new Promise(function (resolve, reject) {
                record.proxy.invoke("Echo", text)
                    .done(function (result) { if (result === text) { resolve(); } else { reject(new Error("echo returned " + result)); } })
                    .fail(reject);
            }).then(function () {
                times.push(performance.now() - started);
                return next(i + 1);
            });
        }

        return next(0);
    };

    // Resolves with a snapshot once at least `n` client calls arrived.
    window.waitForHubCalls = function (handle, n) {
        return waitUntil(get(handle), function (r) { return r.calls.length >= n; });
    };

    // Resolves with a snapshot once the named event has been seen `n` times (default once).
    window.waitForHubEvent = function (handle, name, n) {
        n = n || 1;
        return waitUntil(get(handle), function (r) { return core.count(r, name) >= n; });
    };

    window.hubSnapshot = function (handle) {
        return snapshot(get(handle));
    };

    window.stopHub = function (handle) {
        var record = get(handle);
        var before = core.count(record, "disconnected");
        var promise = waitUntil(record, function (r) { return core.count(r, "disconnected") > before; });
        record.connection.stop();
        return promise;
    };

    // The names the generated proxy made, as JSON: { hub: [server functions] } for each hub on $.connection.
    window.generatedProxyNames = function () {
        var names = {};
        $.each($.connection, function (key, value) {
            if (value && value.hubName && value.server) {
                names[key] = Object.keys(value.server).sort();
            }
        });
        return JSON.stringify(names);
    };
}(window, window.jQuery));
