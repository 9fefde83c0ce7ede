package io.switchboard.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads one document of the plain YAML that generated manifests are written in, several times faster
 * than SnakeYAML (which, with Jackson over it, was most of a 50,000-Service load): a block mapping at
 * column 0; block mappings and sequences (indentless ones too); flow mappings and sequences that end
 * on their line; plain scalars on one line; quoted scalars on one line without escapes; comments.
 *
 * <p>It gives up on anything else (anchors, aliases, tags, merge keys, block scalars, multi-line
 * scalars or flow collections, tabs, non-ASCII text, directives, {@code ...}, numbers other than
 * plain decimals) and on anything it finds invalid: {@link #read} then returns null and the caller
 * reads from that document on with the full parser, which also reports the errors. So a document
 * read here is the tree the full parser builds (the same nodes, plain scalars typed by the same
 * SnakeYAML resolver Jackson uses); tests compare the two on each construct.
 */
final class PlainYamlReader {

    /**
     * A document read.
     *
     * @param root     the mapping, or null for an empty document
     * @param line     the line of its first key (1-based)
     * @param from     where that line starts
     * @param to       where the document ends: the next {@code ---} line, or the end of the text
     * @param nextLine the line at {@code to}
     */
    record Document(ObjectNode root, int line, int from, int to, int nextLine) {
    }

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Jackson's YAML parser types plain scalars with a default SnakeYAML resolver; so does this. */
    private static final Resolver RESOLVER = new Resolver();

    /** Thrown to give up; no stack trace, as giving up is a normal outcome. */
    private static final class Unsupported extends Exception {
        Unsupported() {
            super(null, null, false, false);
        }
    }

    private static final Unsupported UNSUPPORTED = new Unsupported();

    private final String text;
    // The current content line: where it starts and ends, its number, where its content starts
    // (past the indentation, or past a "- " of a compact item), and that column; column -1 at the
    // end of the document.
    private int lineStart;
    private int lineEnd;
    private int lineNo;
    private int pos;
    private int column;
    private int docEnd;

    private PlainYamlReader(String text) {
        this.text = text;
    }

    /**
     * Reads the document that starts at {@code start} (the start of line {@code line}: the text's start
     * or a {@code ---} line), or returns null when the full parser has to.
     */
    static Document read(String text, int start, int line) {
        PlainYamlReader r = new PlainYamlReader(text);
        try {
            return r.document(start, line);
        } catch (Unsupported e) {
            return null;
        }
    }

    private Document document(int start, int line) throws Unsupported {
        lineStart = start;
        lineNo = line;
        lineEnd = lineEndFrom(start);
        if (isMarker('-')) {
            int p = start + 3;
            while (p < lineEnd && text.charAt(p) == ' ') {
                p++;
            }
            if (p < lineEnd && (text.charAt(p) != '#' || text.charAt(p - 1) != ' ')) {
                throw UNSUPPORTED; // content after "---"
            }
            nextLine();
        }
        skipToContent();
        if (column < 0) {
            return new Document(null, line, start, docEnd, lineNo);
        }
        if (column != 0 || !isKeyAt(pos)) {
            throw UNSUPPORTED;
        }
        int firstLine = lineNo;
        int from = lineStart;
        ObjectNode root = mapping(0);
        if (column >= 0) {
            throw UNSUPPORTED;
        }
        return new Document(root, firstLine, from, docEnd, lineNo);
    }

    // --- lines

    private int lineEndFrom(int start) {
        int nl = text.indexOf('\n', start);
        return nl < 0 ? text.length() : nl;
    }

    private void nextLine() {
        lineStart = lineEnd < text.length() ? lineEnd + 1 : text.length();
        lineEnd = lineEndFrom(lineStart);
        lineNo++;
    }

    private boolean isMarker(char c) {
        return lineEnd - lineStart >= 3 && text.charAt(lineStart) == c && text.charAt(lineStart + 1) == c
                && text.charAt(lineStart + 2) == c && (lineEnd - lineStart == 3 || text.charAt(lineStart + 3) == ' ');
    }

    /** Moves to the first content line from the current one on; column -1 at the document's end. */
    private void skipToContent() throws Unsupported {
        while (true) {
            if (lineStart >= text.length()) {
                docEnd = text.length();
                column = -1;
                return;
            }
            if (isMarker('-')) {
                docEnd = lineStart;
                column = -1;
                return;
            }
            int p = lineStart;
            while (p < lineEnd) {
                char c = text.charAt(p);
                if (c < 0x20 || c > 0x7e) {
                    throw UNSUPPORTED; // tabs, CR, control characters, non-ASCII: the full parser's rules
                }
                p++;
            }
            p = lineStart;
            while (p < lineEnd && text.charAt(p) == ' ') {
                p++;
            }
            if (p < lineEnd && text.charAt(p) != '#') {
                char first = text.charAt(lineStart);
                if (p == lineStart && (first == '%' || isMarker('.'))) {
                    throw UNSUPPORTED; // a directive or a document end
                }
                pos = p;
                column = p - lineStart;
                return;
            }
            nextLine();
        }
    }

    private void advance() throws Unsupported {
        nextLine();
        skipToContent();
    }

    // --- block structure

    private boolean isDashAt(int p) {
        return text.charAt(p) == '-' && (p + 1 == lineEnd || text.charAt(p + 1) == ' ');
    }

    /** The node whose first line is the current one, at {@code column}. */
    private JsonNode block() throws Unsupported {
        if (isDashAt(pos)) {
            return sequence(column);
        }
        if (isKeyAt(pos)) {
            return mapping(column);
        }
        // A scalar on a line of its own; the caller gives up if the next line is indented as a continuation.
        JsonNode v = inlineValue();
        advance();
        return v;
    }

    private ObjectNode mapping(int indent) throws Unsupported {
        ObjectNode obj = NODES.objectNode();
        while (true) {
            int[] end = new int[1];
            String name = key(pos, end);
            if (name.equals("<<")) {
                throw UNSUPPORTED;
            }
            pos = skipSpaces(end[0]);
            JsonNode value;
            if (pos >= lineEnd || text.charAt(pos) == '#') {
                advance();
                if (column > indent) {
                    value = block();
                } else if (column == indent && isDashAt(pos)) {
                    value = sequence(indent);
                } else {
                    value = NODES.nullNode();
                }
            } else {
                value = inlineValue();
                advance();
                if (column > indent) {
                    throw UNSUPPORTED;
                }
            }
            obj.set(name, value);
            if (column < indent) {
                return obj;
            }
            if (column > indent || !isKeyAt(pos)) {
                throw UNSUPPORTED;
            }
        }
    }

    private ArrayNode sequence(int indent) throws Unsupported {
        ArrayNode arr = NODES.arrayNode();
        while (true) {
            int p = skipSpaces(pos + 1);
            JsonNode item;
            if (p >= lineEnd || text.charAt(p) == '#') {
                advance();
                item = column > indent ? block() : NODES.nullNode();
            } else {
                // A compact node: its content starts further on this line, as if it were indented there.
                pos = p;
                column = p - lineStart;
                item = block();
            }
            arr.add(item);
            if (column < indent) {
                return arr;
            }
            if (column > indent) {
                throw UNSUPPORTED;
            }
            if (!isDashAt(pos)) {
                return arr; // an indentless sequence ends where its mapping goes on
            }
        }
    }

    /** Whether a mapping key starts at {@code p}: a key, then ": " or ":" at the line's end. */
    private boolean isKeyAt(int p) throws Unsupported {
        char c = text.charAt(p);
        if (c == '\'' || c == '"') {
            int q = closing(c, p + 1);
            return q > 0 && q + 1 < lineEnd && text.charAt(q + 1) == ':'
                    && (q + 2 == lineEnd || text.charAt(q + 2) == ' ');
        }
        for (int i = p; i < lineEnd; i++) {
            char ch = text.charAt(i);
            if (ch == ':' && (i + 1 == lineEnd || text.charAt(i + 1) == ' ')) {
                return true;
            }
            if (ch == '#' && i > p && text.charAt(i - 1) == ' ') {
                return false;
            }
        }
        return false;
    }

    /** The key at {@code p}; {@code end[0]} is set past its colon. */
    private String key(int p, int[] end) throws Unsupported {
        char c = text.charAt(p);
        if (c == '\'' || c == '"') {
            int q = closing(c, p + 1);
            String k = quoted(p, q);
            end[0] = q + 2;
            return k;
        }
        if (isIndicator(c)) {
            throw UNSUPPORTED;
        }
        int i = p;
        while (!(text.charAt(i) == ':' && (i + 1 == lineEnd || text.charAt(i + 1) == ' '))) {
            i++;
        }
        end[0] = i + 1;
        return text.substring(p, trimEnd(p, i));
    }

    /** A scalar or a flow collection from {@code pos} to the end of the line (or a comment). */
    private JsonNode inlineValue() throws Unsupported {
        char c = text.charAt(pos);
        JsonNode v;
        int after;
        if (c == '{' || c == '[') {
            int[] end = new int[1];
            v = flow(pos, end);
            after = end[0];
        } else if (c == '\'' || c == '"') {
            int q = closing(c, pos + 1);
            v = NODES.textNode(quoted(pos, q));
            after = q + 1;
        } else {
            if (isIndicator(c)) {
                throw UNSUPPORTED;
            }
            int e = pos;
            while (e < lineEnd && !(text.charAt(e) == '#' && text.charAt(e - 1) == ' ')) {
                char ch = text.charAt(e);
                if (ch == ':' && (e + 1 == lineEnd || text.charAt(e + 1) == ' ')) {
                    throw UNSUPPORTED; // "a: b: c", or a key where a value was expected
                }
                e++;
            }
            return plain(text.substring(pos, trimEnd(pos, e)));
        }
        after = skipSpaces(after);
        if (after < lineEnd && !(text.charAt(after) == '#' && text.charAt(after - 1) == ' ')) {
            throw UNSUPPORTED;
        }
        return v;
    }

    // --- flow collections, on one line

    private JsonNode flow(int p, int[] end) throws Unsupported {
        char open = text.charAt(p);
        p = skipSpaces(p + 1);
        if (open == '{') {
            ObjectNode obj = NODES.objectNode();
            if (at(p) == '}') {
                end[0] = p + 1;
                return obj;
            }
            while (true) {
                String name;
                char c = at(p);
                if (c == '\'' || c == '"') {
                    int q = closing(c, p + 1);
                    name = quoted(p, q);
                    p = q + 1;
                    if (at(p) != ':') {
                        throw UNSUPPORTED;
                    }
                } else {
                    int s = p;
                    p = flowPlainEnd(p);
                    if (at(p) != ':' || p == s) {
                        throw UNSUPPORTED;
                    }
                    name = text.substring(s, trimEnd(s, p));
                }
                if (name.equals("<<") || (at(p + 1) != ' ')) {
                    throw UNSUPPORTED;
                }
                p = skipSpaces(p + 1);
                obj.set(name, flowValue(p, end));
                p = skipSpaces(end[0]);
                char sep = at(p);
                if (sep == '}') {
                    end[0] = p + 1;
                    return obj;
                }
                if (sep != ',') {
                    throw UNSUPPORTED;
                }
                p = skipSpaces(p + 1);
                if (at(p) == '}') {
                    throw UNSUPPORTED; // a trailing comma
                }
            }
        }
        ArrayNode arr = NODES.arrayNode();
        if (at(p) == ']') {
            end[0] = p + 1;
            return arr;
        }
        while (true) {
            arr.add(flowValue(p, end));
            p = skipSpaces(end[0]);
            char sep = at(p);
            if (sep == ']') {
                end[0] = p + 1;
                return arr;
            }
            if (sep != ',') {
                throw UNSUPPORTED; // ":" here would make a single-pair mapping
            }
            p = skipSpaces(p + 1);
            if (at(p) == ']') {
                throw UNSUPPORTED;
            }
        }
    }

    private JsonNode flowValue(int p, int[] end) throws Unsupported {
        char c = at(p);
        if (c == '{' || c == '[') {
            return flow(p, end);
        }
        if (c == '\'' || c == '"') {
            int q = closing(c, p + 1);
            String s = quoted(p, q);
            end[0] = q + 1;
            return NODES.textNode(s);
        }
        if (isIndicator(c)) {
            throw UNSUPPORTED;
        }
        int e = flowPlainEnd(p);
        end[0] = e;
        return plain(text.substring(p, trimEnd(p, e)));
    }

    /** Where a plain scalar in a flow collection ends: at , [ ] { } or ":"; a comment or the line's end gives up. */
    private int flowPlainEnd(int p) throws Unsupported {
        while (p < lineEnd) {
            char c = text.charAt(p);
            if (c == ',' || c == '[' || c == ']' || c == '{' || c == '}' || c == ':') {
                return p;
            }
            if (c == '#' && text.charAt(p - 1) == ' ') {
                throw UNSUPPORTED;
            }
            p++;
        }
        throw UNSUPPORTED; // the collection goes on past this line
    }

    // --- scalars

    /** A quoted scalar from the quote at {@code p} to the one at {@code q}, on this line, without escapes. */
    private String quoted(int p, int q) throws Unsupported {
        if (q < 0) {
            throw UNSUPPORTED;
        }
        char quote = text.charAt(p);
        if ((quote == '"' && closing('\\', p + 1) >= 0 && closing('\\', p + 1) < q)
                || (quote == '\'' && q + 1 < lineEnd && text.charAt(q + 1) == '\'')) {
            throw UNSUPPORTED; // escapes, or '' inside single quotes
        }
        return text.substring(p + 1, q);
    }

    /** The first {@code c} from {@code p} on this line, or -1. */
    private int closing(char c, int p) {
        for (int i = p; i < lineEnd; i++) {
            if (text.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    /** A plain scalar typed as Jackson's YAML parser types it, or give up on the types it converts. */
    static JsonNode plain(String v) throws Unsupported {
        if (v.isEmpty()) {
            throw UNSUPPORTED;
        }
        Tag tag = RESOLVER.resolve(NodeId.scalar, v, true);
        if (tag == Tag.STR || tag == Tag.TIMESTAMP) {
            return NODES.textNode(v);
        }
        if (tag == Tag.NULL) {
            return NODES.nullNode();
        }
        if (tag == Tag.BOOL && (v.equals("true") || v.equals("false"))) {
            return NODES.booleanNode(v.equals("true"));
        }
        if (tag == Tag.INT && v.length() <= 18 && (v.equals("0") || v.charAt(0) != '0') && allDigits(v)) {
            long n = Long.parseLong(v);
            return n <= Integer.MAX_VALUE ? NODES.numberNode((int) n) : NODES.numberNode(n);
        }
        throw UNSUPPORTED;
    }

    private static boolean allDigits(String v) {
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** Characters that cannot start a plain scalar here (or that this reader leaves to the full parser). */
    private static boolean isIndicator(char c) {
        return "-?:,[]{}#&*!|>'\"%@`".indexOf(c) >= 0;
    }

    private char at(int p) throws Unsupported {
        if (p >= lineEnd) {
            throw UNSUPPORTED;
        }
        return text.charAt(p);
    }

    private int skipSpaces(int p) {
        while (p < lineEnd && text.charAt(p) == ' ') {
            p++;
        }
        return p;
    }

    private int trimEnd(int from, int to) {
        while (to > from && text.charAt(to - 1) == ' ') {
            to--;
        }
        return to;
    }
}
