package io.switchboard.kubernetes;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.HashMap;
import java.util.Map;

/**
 * The line of every field of one document, worked out only when an error needs it: parsing records
 * no positions, and this re-reads the document's own text the first time a line is asked for. Most
 * objects are valid, so most documents never pay for it.
 */
public final class LineIndex {

    private final String text;
    private final int from;
    private final int to;
    private final int firstLine;
    private final String prefix;
    private final LineIndex parent;
    private Map<String, Integer> lines;

    private LineIndex(String text, int from, int to, int firstLine, String prefix, LineIndex parent) {
        this.text = text;
        this.from = from;
        this.to = to;
        this.firstLine = firstLine;
        this.prefix = prefix;
        this.parent = parent;
    }

    /**
     * The index of the document whose first line starts at {@code from} in {@code text}, line
     * {@code firstLine}, and that ends before {@code to}.
     */
    static LineIndex of(String text, int from, int to, int firstLine) {
        return new LineIndex(text, from, Math.max(from, Math.min(to, text.length())), firstLine, "", null);
    }

    /** The index of an element of a list object, whose fields sit under {@code prefix} in the list. */
    LineIndex under(String elementPrefix) {
        return new LineIndex(null, 0, 0, 0, elementPrefix, this);
    }

    /**
     * Equal when the same text sits at the same line: a file read again unchanged gives equal
     * definitions, which the store then keeps without deciding them again.
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LineIndex other) || firstLine != other.firstLine || !prefix.equals(other.prefix)) {
            return false;
        }
        if (parent != null) {
            return parent.equals(other.parent);
        }
        return other.parent == null && to - from == other.to - other.from
                && text.regionMatches(from, other.text, other.from, to - from);
    }

    @Override
    public int hashCode() {
        return parent != null ? 31 * parent.hashCode() + prefix.hashCode() : 31 * firstLine + (to - from);
    }

    /** The line of {@code field}, or null when the document has no such field. */
    public synchronized Integer line(String field) {
        if (parent != null) {
            return parent.line(field.isEmpty() ? prefix : prefix + "." + field);
        }
        if (lines == null) {
            lines = build();
        }
        return lines.get(field);
    }

    /** The line of {@code field}, or of its closest enclosing field, or {@code objectLine}. */
    public int lineOrEnclosing(String field, int objectLine) {
        String f = field;
        while (!f.isEmpty()) {
            Integer l = line(f);
            if (l != null) {
                return l;
            }
            int cut = Math.max(f.lastIndexOf('.'), f.lastIndexOf('['));
            f = cut < 0 ? "" : f.substring(0, cut);
        }
        return objectLine;
    }

    private Map<String, Integer> build() {
        Map<String, Integer> out = new HashMap<>();
        // A reader skipping to the document: a substring would copy the rest of the file for each document.
        StringReader reader = new StringReader(text);
        try (reader; JsonParser p = ManifestParser.yaml().createParser(skipped(reader, from))) {
            JsonToken t = p.nextToken();
            if (t != null) {
                record(p, t, "", out);
            }
        } catch (IOException | RuntimeException e) {
            // The document parsed once already; if re-reading fails, errors fall back to its first line.
        }
        return out;
    }

    private static StringReader skipped(StringReader reader, int chars) throws IOException {
        reader.skip(chars);
        return reader;
    }

    private void record(JsonParser p, JsonToken t, String path, Map<String, Integer> out) throws IOException {
        if (t == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String child = path.isEmpty() ? p.currentName() : path + "." + p.currentName();
                out.put(child, firstLine - 1 + p.currentTokenLocation().getLineNr());
                record(p, p.nextToken(), child, out);
            }
        } else if (t == JsonToken.START_ARRAY) {
            int i = 0;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                String child = path + "[" + i++ + "]";
                out.put(child, firstLine - 1 + p.currentTokenLocation().getLineNr());
                record(p, t, child, out);
            }
        }
    }
}
