/**
 * The one way the page builds DOM. Strings only ever become text nodes or attribute values:
 * model output and user input are untrusted, and nothing here parses HTML.
 */

type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  /** Attributes, including data-* and aria-*. Values are set with setAttribute (never parsed). */
  attrs?: Record<string, string | number | boolean | null | undefined>;
  on?: { [K in keyof HTMLElementEventMap]?: (ev: HTMLElementEventMap[K]) => void };
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props?.class) node.className = props.class;
  if (props?.attrs) setAttrs(node, props.attrs);
  if (props?.on) {
    for (const [name, handler] of Object.entries(props.on)) node.addEventListener(name, handler as EventListener);
  }
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/**
 * `null`/`undefined` remove the attribute. Booleans on data-* and aria-* become "true"/"false"
 * (CSS and ARIA read the value); on other attributes true means present and false absent.
 */
export function setAttrs(node: Element, attrs: NonNullable<Props['attrs']>): void {
  for (const [k, v] of Object.entries(attrs)) {
    const valued = k.startsWith('data-') || k.startsWith('aria-');
    if (v === null || v === undefined || (v === false && !valued)) node.removeAttribute(k);
    else node.setAttribute(k, v === true && !valued ? '' : String(v));
  }
}

/** Replaces all children. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, ...children);
}

/** Sets text only when it changed (streaming updates would otherwise churn layout). */
export function setText(node: Node, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

export function $(selector: string, root: ParentNode = document): HTMLElement {
  const found = root.querySelector<HTMLElement>(selector);
  if (!found) throw new Error(`dashboard: missing element ${selector}`);
  return found;
}
