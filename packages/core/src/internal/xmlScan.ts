/**
 * The XML scanner's text-level parts: the root element's name, `*.` array
 * paths resolved against it, and a linear well-formedness check. Internal
 * to `XmlCodec`.
 */

/** The name of the document's root element (after any prolog), if it has one. */
export const rootName = (text: string): string | undefined => {
  let i = text.indexOf("<")
  while (i !== -1) {
    const next = text.charCodeAt(i + 1)
    if (next !== 63 && next !== 33) {
      let j = i + 1
      while (j < text.length) {
        const c = text.charCodeAt(j)
        if (c === 32 || c === 9 || c === 10 || c === 13 || c === 47 || c === 62) break
        j++
      }
      return j > i + 1 ? text.slice(i + 1, j) : undefined
    }
    i = text.indexOf("<", i + 1)
  }
  return undefined
}

export const resolveRoot = (paths: ReadonlyArray<string>, text: string): ReadonlyArray<string> => {
  if (!paths.some((p) => p.startsWith("*."))) return paths
  const root = rootName(text)
  return root === undefined ? paths : paths.map((p) => (p.startsWith("*.") ? `${root}${p.slice(1)}` : p))
}

/**
 * A linear well-formedness check: every element closes, in order, under a
 * single root, with nothing but whitespace, comments or processing
 * instructions around it; nesting within `maxDepth`. It is what catches a
 * truncated or spliced document (fast-xml-parser itself is lenient), at a
 * fraction of the cost of a full validator.
 */
export const checkWellFormed = (s: string, maxDepth: number): string | undefined => {
  const stack: Array<string> = []
  let rootClosed = false
  let i = 0
  const len = s.length
  while (i < len) {
    const lt = s.indexOf("<", i)
    if (lt === -1) {
      if (s.slice(i).trim() !== "" && (stack.length === 0)) return "text outside the root element"
      break
    }
    if (stack.length === 0 && s.slice(i, lt).trim() !== "") return "text outside the root element"
    const second = s.charCodeAt(lt + 1)
    if (second === 33 && s.startsWith("<!--", lt)) {
      const e = s.indexOf("-->", lt + 4)
      if (e === -1) return "unterminated comment"
      i = e + 3
      continue
    }
    if (second === 33 && s.startsWith("<![CDATA[", lt)) {
      if (stack.length === 0) return "CDATA outside the root element"
      const e = s.indexOf("]]>", lt + 9)
      if (e === -1) return "unterminated CDATA section"
      i = e + 3
      continue
    }
    if (second === 63) {
      const e = s.indexOf("?>", lt + 2)
      if (e === -1) return "unterminated processing instruction"
      i = e + 2
      continue
    }
    // Find the end of the tag; only a tag with quotes (attributes) needs the
    // slower scan that skips quoted values.
    let j = s.indexOf(">", lt + 1)
    if (j === -1) return "the document ends inside a tag (truncated?)"
    const nextLt = s.indexOf("<", lt + 1)
    const tagText = s.slice(lt + 1, j)
    if (tagText.includes("\"") || tagText.includes("'")) {
      let quote = 0
      for (j = lt + 1; j < len; j++) {
        const c = s.charCodeAt(j)
        if (quote !== 0) {
          if (c === quote) quote = 0
        } else if (c === 34 || c === 39) quote = c
        else if (c === 62) break
        else if (c === 60) return `unexpected "<" inside a tag at offset ${j}`
      }
      if (j >= len) return "the document ends inside a tag (truncated?)"
    } else if (nextLt !== -1 && nextLt < j) {
      return `unexpected "<" inside a tag at offset ${nextLt}`
    }
    if (second === 47) {
      const name = s.slice(lt + 2, j).trim()
      const open = stack.pop()
      if (open === undefined) return `closing tag </${name}> without an opening tag`
      if (open !== name) return `</${name}> closes <${open}>`
      if (stack.length === 0) rootClosed = true
    } else {
      if (rootClosed) return "more than one root element"
      const selfClosing = s.charCodeAt(j - 1) === 47
      let k = lt + 1
      while (k < j) {
        const c = s.charCodeAt(k)
        if (c === 32 || c === 9 || c === 10 || c === 13 || c === 47) break
        k++
      }
      const name = s.slice(lt + 1, k)
      if (name === "") return `empty tag name at offset ${lt}`
      if (selfClosing) {
        if (stack.length === 0) rootClosed = true
      } else {
        stack.push(name)
        if (stack.length > maxDepth) return `nesting deeper than ${maxDepth}`
      }
    }
    i = j + 1
  }
  if (stack.length > 0) return `<${stack[stack.length - 1]}> is never closed (truncated?)`
  if (!rootClosed) return "no root element"
  return undefined
}
