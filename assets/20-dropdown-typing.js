/* Typing in an open dropdown always searches.
 *
 * Dash 4's dcc.Dropdown opens with the keyboard focus on the chosen option when
 * it has one (on the search box otherwise). Typing then does nothing, and Enter
 * toggles that option off: on the Products page, someone who picked a product
 * and clicks the box to look up another one typed into the void, and Enter
 * cleared the page. When a printable key is pressed on an option of an open
 * dropdown, this moves the focus to that dropdown's search box before the key
 * is handled, so the character lands there and the search runs as if it had
 * been typed into the box. Space, arrows, Enter and shortcuts keep their own
 * meaning (Space and Enter still toggle the focused option).
 */
(function () {
    'use strict';
    document.addEventListener('keydown', function (event) {
        if (event.key.length !== 1 || event.key === ' ') {
            return;
        }
        if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) {
            return;
        }
        var target = event.target;
        if (!(target instanceof Element) || target.matches('input[type=search]')) {
            return;
        }
        var list = target.closest('.dash-dropdown-content');
        var search = list && list.querySelector('input.dash-dropdown-search');
        if (search) {
            search.focus();
        }
    }, true);
})();
