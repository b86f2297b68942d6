/* Says when the filter bar's calendar closes.
 *
 * Half-way through picking a range on the calendar (the start clicked, the end
 * not yet), the page keeps the dates it shows: the first click blanks the end,
 * and applying that re-drew every chart for "from the start to the end of the
 * data" and added it to the browser's history (callbacks/filters.py,
 * APPLY_DATES_JS). Once the calendar closes, whatever the picker then holds is
 * applied, an open end included: this script tells the page so by setting the
 * store `filter-dates-closed` each time the calendar goes away.
 */
(function () {
    'use strict';
    var CALENDAR = '.filter-bar .dash-datepicker-calendar-wrapper';
    var open = false;
    new MutationObserver(function () {
        var now = document.querySelector(CALENDAR) !== null;
        // The calendar is the filter bar's, which holds the store (a store draws
        // nothing in the page to look for).
        if (open && !now && window.dash_clientside && dash_clientside.set_props) {
            dash_clientside.set_props('filter-dates-closed', {data: Date.now()});
        }
        open = now;
    }).observe(document.documentElement, {childList: true, subtree: true});
})();
