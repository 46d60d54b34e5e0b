// Shared by harness.js (persistent connections) and hub-harness.js (hubs): records kept by handle, and waits that
// resolve on client events. A record has `events` (names in order) and `waiters`; every recorder calls `check` after
// it changed the record. Nothing here waits on a clock: the C# side bounds every await.
(function (window, $) {
    "use strict";

    var stateNames = {};
    $.each($.signalR.connectionState, function (name, value) { stateNames[value] = name; });

    window.harnessCore = {
        // The client's state names by value: connecting, connected, reconnecting, disconnected.
        stateNames: stateNames,

        // A set of records of one kind (`what`, for errors), each given a handle when added.
        registry: function (what) {
            var records = {};
            var nextHandle = 1;
            return {
                add: function (record) {
                    record.handle = nextHandle++;
                    record.waiters = [];
                    records[record.handle] = record;
                    return record;
                },
                get: function (handle) {
                    var record = records[handle];
                    if (!record) {
                        throw new Error("No " + what + " with handle " + handle + ".");
                    }

                    return record;
                }
            };
        },

        // Re-checks every pending wait of a record; each wait is a predicate over the record plus its resolver.
        check: function (record) {
            record.waiters = record.waiters.filter(function (waiter) {
                if (waiter.done(record)) {
                    waiter.resolve(waiter.result(record));
                    return false;
                }

                return true;
            });
        },

        // Resolves with result(record) once done(record) holds: at once, or after the `check` that makes it hold.
        waitUntil: function (record, done, result) {
            return new Promise(function (resolve) {
                if (done(record)) {
                    resolve(result(record));
                } else {
                    record.waiters.push({ done: done, result: result, resolve: resolve });
                }
            });
        },

        // How many times the record saw the event `name`.
        count: function (record, name) {
            return record.events.filter(function (e) { return e === name; }).length;
        }
    };
}(window, window.jQuery));
