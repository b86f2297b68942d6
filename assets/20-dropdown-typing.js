/* Typing in an open dropdown always searches, and Enter picks from the
 * answer to what was typed.
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
 *
 * A key pressed on a dropdown's button and released in its search box is typed.
 *
 * The first key typed on a closed dropdown lands on its button: Dash opens the
 * dropdown when it is released, and moves the focus to the search box a frame
 * later. A key pressed on the button before that move (a fast typist presses
 * the next key before releasing the last) and released after it was typed
 * nowhere: "lantern" searched "lntern" and picked another product. Such a key
 * is added to the search box's text when it is released, as if typed there.
 *
 * Enter in a server-searched dropdown waits for the answer to what was typed.
 *
 * Dash picks the first option shown when Enter is released in the search box,
 * and does nothing when none is shown. The Products page's options come from
 * the server, one answer per keystroke: Enter released before the answer for
 * the last one was drawn picked nothing when an earlier answer's options did
 * not match the text (a browser test that answers late shows it every time),
 * and the first of them when they did. In a dropdown marked "server-search", whose options each carry the
 * text they were found for ("search": that text, a space, then the rest; see
 * components.layout.product_option), Enter is held back from Dash until the
 * options drawn are the answer for the text in the box, then given to Dash
 * again; dropped if the text changes, the dropdown closes or 10 s pass (no
 * answer names that text when nothing matches it).
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

    // Printable keys pressed on a dropdown's button and not yet released, in
    // the order pressed, with that button.
    var onButton = [];
    var setValue = Object.getOwnPropertyDescriptor(
        HTMLInputElement.prototype, 'value'
    ).set;

    function keyId(event) {
        // Virtual keyboards (and drivers) may send no code for a letter.
        return event.code || 'key:' + event.key;
    }

    document.addEventListener('keydown', function (event) {
        var target = event.target;
        if (event.key.length === 1 && !event.ctrlKey && !event.metaKey
                && !event.altKey && !event.isComposing
                && target instanceof Element && target.matches('.dash-dropdown')) {
            onButton.push({id: keyId(event), key: event.key, button: target});
        }
    }, true);

    document.addEventListener('keyup', function (event) {
        // Released on the button, Dash reads it there; anywhere else it is
        // either typed already (below) or not for a dropdown.
        var id = keyId(event);
        for (var i = 0; i < onButton.length; i += 1) {
            if (onButton[i].id === id) {
                onButton.splice(i, 1);
                return;
            }
        }
    }, true);

    document.addEventListener('focusin', function (event) {
        var target = event.target;
        if (!onButton.length || !(target instanceof Element)) {
            return;
        }
        if (!target.matches('input.dash-dropdown-search')) {
            if (!target.closest('.dash-dropdown-content')) {
                // The focus went elsewhere (another box was clicked): keys held
                // on any other button are not for what now has it.
                onButton = onButton.filter(function (k) { return k.button === target; });
            }
            return;
        }
        // The focus moved from a button to a search box: keys still down on
        // the button can no longer be released there. Those held on this box's
        // own button are typed here, before any key pressed in the box (React
        // hears an input event after the native value setter, as for the box's
        // own typing); any other is dropped.
        var list = target.closest('.dash-dropdown-content');
        var keys = onButton.filter(function (k) {
            return list && k.button.getAttribute('aria-controls') === list.id;
        }).map(function (k) { return k.key; }).join('');
        onButton = [];
        if (keys) {
            setValue.call(target, target.value + keys);
            target.dispatchEvent(new Event('input', {bubbles: true}));
        }
    }, true);

    var HOLD_MS = 10000;
    var POLL_MS = 30;

    function openTrigger(list) {
        // The open dropdown's button (its content is rendered apart, in a
        // popover); it carries the component's id and class.
        return list && document.querySelector(
            '.dash-dropdown.server-search[aria-expanded="true"]'
            + '[aria-controls="' + list.id + '"]'
        );
    }

    function answered(trigger, list, text) {
        // Whether the options drawn are the server's answer for ``text``.
        var id = trigger.id;
        try {
            id = JSON.parse(id);  // a dict id, as Dash writes it in the DOM
        } catch (e) { /* a plain string id */ }
        var layout = window.dash_component_api.getLayout(id);
        var options = (layout && layout.props && layout.props.options) || [];
        var first = options[0];
        var drawn = list.querySelector('[role=option]');
        return Boolean(first && typeof first.search === 'string'
            && first.search.indexOf(text + ' ') === 0
            && drawn && drawn.textContent === first.label);
    }

    document.addEventListener('keyup', function (event) {
        var target = event.target;
        if (event.key !== 'Enter' || !event.isTrusted
                || !(target instanceof Element)
                || !target.matches('input.dash-dropdown-search') || !target.value) {
            return;
        }
        var list = target.closest('.dash-dropdown-content');
        var trigger = openTrigger(list);
        var text = target.value;
        if (!trigger || !window.dash_component_api
                || answered(trigger, list, text)) {
            return;  // Dash's own Enter picks the right first option
        }
        event.stopPropagation();
        var started = Date.now();
        (function wait() {
            if (!target.isConnected || target.value !== text
                    || openTrigger(list) !== trigger
                    || Date.now() - started > HOLD_MS) {
                return;
            }
            if (!answered(trigger, list, text)) {
                window.setTimeout(wait, POLL_MS);
                return;
            }
            target.dispatchEvent(new KeyboardEvent('keyup', {
                key: 'Enter', code: 'Enter', bubbles: true,
            }));
        })();
    }, true);
})();
