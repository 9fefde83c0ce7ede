package io.switchboard.kubernetes;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The line of every field of one document, worked out only when an error needs it: parsing records
 * no positions, and this re-reads the document's own text the first time a line is asked for. Most
 * objects are valid, so most documents never pay for it.
 */
public final class LineIndex {

    private static final YAMLFactory YAML = new YAMLFactory();

    private final String text;
    private final int from;
    private final int firstLine;
    private final String prefix;
    private final LineIndex parent;
    private Map<String, Integer> lines;

    private LineIndex(String text, int from, int firstLine, String prefix, LineIndex parent) {
        this.text = text;
        this.from = from;
        this.firstLine = firstLine;
        this.prefix = prefix;
        this.parent = parent;
    }

    /** The index of the document whose first line starts at {@code from} in {@code text}, line {@code firstLine}. */
    static LineIndex of(String text, int from, int firstLine) {
        return new LineIndex(text, from, firstLine, "", null);
    }

    /** The index of an element of a list object, whose fields sit under {@code prefix} in the list. */
    LineIndex under(String elementPrefix) {
        return new LineIndex(null, 0, 0, elementPrefix, this);
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

    private Map<String, Integer> build() {
        Map<String, Integer> out = new HashMap<>();
        try (JsonParser p = YAML.createParser(text.substring(from))) {
            JsonToken t = p.nextToken();
            if (t != null) {
                record(p, t, "", out);
            }
        } catch (IOException | RuntimeException e) {
            // The document parsed once already; if re-reading fails, errors fall back to its first line.
        }
        return out;
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
