/* The filter bar's date picker: the dates it applies.
 *
 * dash_clientside.shopper.dates (a clientside callback: callbacks/filters.py)
 * turns the picker's two dates into the two the filter applies (the stores
 * `start` and `end` of the URL), and makes the picker show them:
 *
 * - A date typed in a box is read day first, as a UK shop writes it. Dash's
 *   picker falls back to the browser's reading, which took "05/04/2011" as
 *   4 May and "31 Feb 2011" as 3 Mar; a day whose US reading falls outside the
 *   data ("1/12/2010") it refused, blanking the box while the page kept the
 *   old date, and it read nothing on Escape. A typed day the picker misread,
 *   refused or has not read is put right; a text naming no day ("hello",
 *   "31 Feb 2011", a cleared start) gives the box back the date in force; a
 *   cleared end box is an open end. A day clicked on the calendar wins over
 *   text typed before it.
 * - As the URL reads dates: an open start or end is the data's first or last
 *   day, a day outside the data is its nearest, and a range given end first is
 *   put in order.
 * - Half-way through picking a range on the calendar (the start clicked, the
 *   end not yet, which blanks the end), nothing is applied: applying it
 *   re-drew every chart for "from the start to the end of the data" and added
 *   it to the browser's history. Once the calendar closes, what the picker
 *   holds is applied.
 *
 * This script keeps the text typed in a box until the callback has seen it,
 * and tells the page when the calendar closes and when a box was left (stores
 * `filter-dates-closed` and `filter-dates-typed`).
 */
(function () {
    'use strict';
    var BOXES = ['filter-dates', 'filter-dates-end-date'];  // start, end
    var CALENDAR = '.filter-bar .dash-datepicker-calendar-wrapper';
    var MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun',
                  'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
    var typed = {};  // box id -> text typed there, until the callback reads it

    function day(y, m, d) {
        // 'YYYY-MM-DD' of a day that exists, else ''.
        var date = new Date(Date.UTC(y, m - 1, d));
        var real = date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 &&
            date.getUTCDate() === d;
        return real ? date.toISOString().slice(0, 10) : '';
    }

    function fullYear(digits) {
        // A year as typed: "11" is 2011.
        return +digits + (digits.length === 2 ? 2000 : 0);
    }

    function meant(text, index) {
        // The day a typed text names, read day first; '' when it names none;
        // null for a cleared end box (an open end; a cleared start box names
        // none, as the picker reads it).
        var t = text.trim();
        var m = t.match(/^(\d{1,2})[\/.\-](\d{1,2})[\/.\-](\d{4}|\d{2})$/);
        if (m) {
            return day(fullYear(m[3]), +m[2], +m[1]);
        }
        m = t.match(/^(\d{4})[\-\/](\d{1,2})[\-\/](\d{1,2})$/);
        if (m) {
            return day(+m[1], +m[2], +m[3]);
        }
        m = t.match(/^(\d{1,2})\s+([A-Za-z]{3,})\.?,?\s+(\d{4}|\d{2})$/);
        if (m) {
            var month = MONTHS.indexOf(m[2].slice(0, 3).toLowerCase());
            return month < 0 ? '' : day(fullYear(m[3]), month + 1, +m[1]);
        }
        if (!t) {
            return index === 1 ? null : '';
        }
        // "April 5 2011" as the browser reads it; figures alone ("5/4") name
        // no day (the browser makes 2001 of a missing year).
        return /[A-Za-z]/.test(t) ? browserReading(t) || '' : '';
    }

    function browserReading(text) {
        // The day the picker falls back to (the browser's own reading).
        var date = new Date(text.trim());
        if (isNaN(date.getTime())) {
            return null;
        }
        return day(date.getFullYear(), date.getMonth() + 1, date.getDate());
    }

    function isBox(target) {
        return target instanceof HTMLInputElement && BOXES.indexOf(target.id) >= 0;
    }

    function leave(event) {
        // The box was left (or Enter pressed) with text typed: once the picker's
        // own handler has read it (it runs after this one), the callback runs,
        // even when a text the picker cannot read changed none of its dates.
        if (isBox(event.target) && typed[event.target.id] !== undefined) {
            setTimeout(function () {
                dash_clientside.set_props('filter-dates-typed', {data: Date.now()});
            }, 0);
        }
    }

    // The text as typed, key by key: by the time the box loses the focus the
    // picker may have blanked a text it could not read (on Tab, it does).
    document.addEventListener('input', function (event) {
        if (isBox(event.target)) {
            typed[event.target.id] = event.target.value;
        }
    }, true);
    document.addEventListener('blur', leave, true);
    // A day clicked on the calendar is the date meant, whatever was typed.
    document.addEventListener('pointerdown', function (event) {
        if (event.target instanceof Element && event.target.closest(CALENDAR)) {
            typed = {};
        }
    }, true);
    document.addEventListener('keydown', function (event) {
        if (event.key === 'Enter' || event.key === 'Tab') {
            leave(event);
        }
    }, true);

    var open = false;
    new MutationObserver(function () {
        var now = document.querySelector(CALENDAR) !== null;
        // The calendar is the filter bar's, which holds the store (a store
        // draws nothing in the page to look for).
        if (open && !now && window.dash_clientside && dash_clientside.set_props) {
            dash_clientside.set_props('filter-dates-closed', {data: Date.now()});
        }
        open = now;
    }).observe(document.documentElement, {childList: true, subtree: true});

    function corrected(index, value, applied) {
        // The picker's date ``value`` of box ``index``, put right from what was
        // typed there; undefined when it needs no change.
        var id = BOXES[index];
        var text = typed[id];
        delete typed[id];
        if (text === undefined) {
            return undefined;
        }
        var want = meant(text, index);
        var got = value ? String(value).slice(0, 10) : null;
        if (want === got) {
            return undefined;
        }
        // The picker read the text as another day, or kept the date in force
        // (it could not read it, read it outside the data, or has not read it
        // yet: Escape); else another date was set since.
        var misread = got !== null && got === browserReading(text);
        if (!misread && got !== applied) {
            return undefined;
        }
        if (want !== '') {
            return want;
        }
        // Back to the date applied, written otherwise than the picker holds
        // it (the same day, as a time), so that it shows it again in a box it
        // blanked.
        return String(value) === applied ? applied + 'T00:00:00' : applied;
    }

    function closeCalendar() {
        // After a typed day was put right: the calendar, still open on the day
        // the picker misread with the keyboard focus on it, took a second
        // Enter as a click on that day. Escape, as the keyboard would.
        var focused = document.activeElement;
        if (document.querySelector(CALENDAR) && focused instanceof Element &&
                focused.closest('.filter-bar')) {
            focused.dispatchEvent(new KeyboardEvent('keydown', {
                key: 'Escape', code: 'Escape', keyCode: 27, bubbles: true
            }));
        }
    }

    function within(value, first, last) {
        return value < first ? first : (value > last ? last : value);
    }

    window.dash_clientside = Object.assign({}, window.dash_clientside);
    window.dash_clientside.shopper = {
        dates: function (start, end, _closed, _typed, appliedStart, appliedEnd,
                         first, last) {
            var no = window.dash_clientside.no_update;
            var picker = [start || null, end || null];
            var applied = [appliedStart || null, appliedEnd || null];
            var changed = false;
            [0, 1].forEach(function (i) {
                var fix = corrected(i, picker[i], applied[i]);
                if (fix !== undefined) {
                    picker[i] = fix;
                    changed = true;
                    setTimeout(closeCalendar, 0);
                }
            });
            var days = picker.map(function (v) { return v ? v.slice(0, 10) : null; });
            if (days[0] && !days[1] && document.querySelector(CALENDAR)) {
                return (changed ? picker : [no, no]).concat([no, no]);
            }
            // As the URL reads them: an open start or end is the data's first
            // or last day, a day outside the data its nearest, and a range
            // given end first is put in order. The picker shows what applies.
            var bounds = [first.slice(0, 10), last.slice(0, 10)];
            var applies = days.map(function (d, i) {
                return d === null ? bounds[i] : within(d, bounds[0], bounds[1]);
            });
            if (applies[1] < applies[0]) {
                applies = [applies[1], applies[0]];
            }
            [0, 1].forEach(function (i) {
                if (applies[i] !== days[i]) {
                    picker[i] = applies[i];
                    changed = true;
                }
            });
            var out = changed ? picker : [no, no];
            if (applies[0] === applied[0] && applies[1] === applied[1]) {
                return out.concat([no, no]);
            }
            return out.concat(applies);
        }
    };
})();
