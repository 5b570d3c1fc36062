// A tiny DOM builder. Text always goes in as text nodes (never innerHTML), so user data cannot inject markup.

/**
 * h('p', {class: 'x', dir: 'auto', onclick: fn, 'data-testid': 't'}, 'text', childNode, [more])
 * Attributes with value false/null/undefined are left out; true sets an empty attribute.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'value' || name === 'checked' || name === 'selected' || name === 'disabled') {
      el[name] = value; // properties, so re-renders show the current state
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace root's content, keeping focus (and the caret) on the element with the same id, if any. */
export function replaceKeepingFocus(root, node) {
  const active = document.activeElement;
  const id = active && active.id;
  let range = null;
  try {
    if (id && typeof active.selectionStart === 'number') range = [active.selectionStart, active.selectionEnd];
  } catch { /* inputs like type=email have no selection API */ }
  root.replaceChildren(node);
  if (!id) return;
  const again = document.getElementById(id);
  if (!again) return;
  again.focus({preventScroll: true});
  if (range) try { again.setSelectionRange(...range); } catch { /* not a text field */ }
}
