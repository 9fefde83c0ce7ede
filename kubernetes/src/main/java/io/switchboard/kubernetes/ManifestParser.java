package io.switchboard.kubernetes;

import io.switchboard.store.Origin;
import io.switchboard.store.ValidationError;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Splits a manifest file into objects: multi-document YAML (JSON is YAML too), with {@code kind: List}
 * (or any {@code *List}) expanded into its items. Anchors and aliases are resolved within their
 * document, as are merge keys ({@code <<: *base}, explicit fields winning), as Kubernetes' own YAML
 * reader does; what aliases expand to is bounded, so an alias bomb is an error rather than a heap.
 * Documents are handed over one at a time, so a file of 100,000 objects never holds 100,000 trees.
 * While building each tree it records the line of every field, which Jackson's tree model does not
 * keep.
 */
public final class ManifestParser {

    /** The objects of a file, or the syntax error that stopped reading it. */
    public record Result(List<ManifestDocument> documents, ValidationError error) {
        public Result {
            documents = List.copyOf(documents);
        }
    }

    /** The largest document (in characters) read; a List of every Service of a big cluster fits. */
    public static final int MAX_DOCUMENT_CHARS = 64 * 1024 * 1024;
    /** How many nodes the aliases of one document may expand to. */
    public static final int MAX_ALIASED_NODES = 10_000;

    // The builder starts from no parser features, unlike new YAMLFactory(): without EMPTY_STRING_AS_NULL
    // an empty document (a trailing ---) reads as "" and is refused as not a mapping.
    private static final YAMLFactory YAML = YAMLFactory.builder().loaderOptions(loaderOptions())
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL).build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String MERGE_KEY = "<<";

    private ManifestParser() {
    }

    /** The YAML reader manifests are read with (also when lines are worked out again). */
    static YAMLFactory yaml() {
        return YAML;
    }

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_DOCUMENT_CHARS);
        return options;
    }

    /** Parses {@code text} read from {@code file}. A syntax error anywhere rejects the whole file. */
    public static Result parse(Path file, String text) {
        return parse(Origin.file(file, 0), text);
    }

    /** Parses {@code text} read from {@code file} (a file, an etcd key). A syntax error anywhere rejects it all. */
    public static Result parse(Origin file, String text) {
        List<ManifestDocument> out = new ArrayList<>();
        ValidationError error = parse(file, text, out::add);
        return error == null ? new Result(out, null) : new Result(List.of(), error);
    }

    /**
     * Parses {@code text} read from {@code file}, handing each object to {@code sink} as soon as it is
     * read. Returns the syntax error that stopped reading, or null; on an error the objects handed
     * over so far are to be dropped, as a syntax error anywhere rejects the whole file.
     */
    public static ValidationError parse(Origin file, String text, Consumer<ManifestDocument> sink) {
        // Documents in the plain YAML generated manifests are written in take the fast reader; from the
        // first that needs more, the full parser reads the rest (anchors do not cross documents).
        int pos = 0;
        int line = 1;
        while (pos < text.length()) {
            PlainYamlReader.Document d = PlainYamlReader.read(text, pos, line);
            if (d == null || d.to() <= pos) {
                return parseFully(file, text, pos, line, sink);
            }
            if (d.root() != null) {
                expand(file, d.line(), d.root(), LineIndex.of(text, d.from(), d.to(), d.line()), sink);
            }
            pos = d.to();
            line = d.nextLine();
        }
        return null;
    }

    /** Parses all of {@code text} with the full YAML parser (tests compare the fast reader with it). */
    static ValidationError parseFully(Origin file, String text, Consumer<ManifestDocument> sink) {
        return parseFully(file, text, 0, 1, sink);
    }

    /**
     * Parses {@code text} from {@code offset}, the start of line {@code firstLine}, with the full
     * YAML parser; lines and offsets it reports are made the file's.
     */
    private static ValidationError parseFully(Origin file, String text, int offset, int firstLine,
                                              Consumer<ManifestDocument> sink) {
        int lines = firstLine - 1;
        // A reader skipping to the offset: a substring would copy the rest of the file.
        try (StringReader reader = new StringReader(text); JsonParser p = YAML.createParser(skipped(reader, offset))) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                JsonLocation start = p.currentTokenLocation();
                int line = start.getLineNr() + lines;
                JsonNode root = new DocumentReader((YAMLParser) p).read(t);
                if (root == null || root.isNull() || root.isMissingNode()) {
                    continue;
                }
                if (!root.isObject()) {
                    return new ValidationError(file.atLine(line), null, "",
                            "a document must be a mapping (a Kubernetes object), found " + root.getNodeType());
                }
                // Lines are worked out from the start of the document's first line, only if an error needs them.
                int from = offset + (int) Math.max(0, start.getCharOffset() - (start.getColumnNr() - 1));
                long end = p.currentLocation().getCharOffset();
                int to = end < 0 ? text.length() : offset + (int) end;
                expand(file, line, (ObjectNode) root, LineIndex.of(text, from, to, line), sink);
            }
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            return new ValidationError(file.atLine(loc == null || loc.getLineNr() <= 0 ? 0 : loc.getLineNr() + lines),
                    null, "", "invalid YAML: " + oneLine(e.getOriginalMessage()));
        } catch (IOException e) {
            return new ValidationError(file, null, "", "cannot read: " + e.getMessage());
        }
        return null;
    }

    private static StringReader skipped(StringReader reader, int chars) throws IOException {
        long skipped = reader.skip(chars);
        if (skipped != chars) {
            throw new IOException("could not skip to offset " + chars + " (skipped " + skipped + ")");
        }
        return reader;
    }

    /** SnakeYAML's messages quote the source with a caret over several lines; keep the sentences only. */
    static String oneLine(String message) {
        List<String> parts = new ArrayList<>();
        for (String line : String.valueOf(message).split("\n")) {
            String t = line.trim();
            if (!t.isEmpty() && !t.startsWith("in 'reader'") && !t.matches("\\^+") && !line.startsWith("    ")) {
                parts.add(t);
            }
        }
        return String.join("; ", parts);
    }

    private static void expand(Origin file, int line, ObjectNode node, LineIndex lines, Consumer<ManifestDocument> sink) {
        String kind = node.path("kind").asText("");
        JsonNode items = node.get("items");
        if (kind.endsWith("List") && items != null && items.isArray()) {
            for (int i = 0; i < items.size(); i++) {
                JsonNode item = items.get(i);
                LineIndex itemLines = lines.under("items[" + i + "]");
                Integer itemLine = itemLines.line("");
                if (item.isObject()) {
                    expand(file, itemLine == null ? line : itemLine, (ObjectNode) item, itemLines, sink);
                }
            }
            return;
        }
        sink.accept(new ManifestDocument(file, line, node, lines));
    }

    /**
     * Reads one document into a tree, resolving its aliases. An aliased tree is shared, not copied
     * (trees are never changed after reading), but counted at its full size against
     * {@link #MAX_ALIASED_NODES}, since whatever reads the document walks every copy.
     */
    private static final class DocumentReader {
        private final YAMLParser p;
        private final Map<String, Anchored> anchors = new HashMap<>();
        private long aliased;

        private record Anchored(JsonNode node, long size) {
        }

        DocumentReader(YAMLParser p) {
            this.p = p;
        }

        JsonNode read(JsonToken t) throws IOException {
            return read(t, new long[1]);
        }

        /** Reads the value starting at token {@code t}; adds its node count to {@code size[0]}. */
        private JsonNode read(JsonToken t, long[] size) throws IOException {
            if (p.isCurrentAlias()) {
                return alias(p.getText(), size);
            }
            String anchor = p.getObjectId();
            long[] own = new long[1];
            JsonNode node = value(t, own);
            size[0] += own[0];
            if (anchor != null) {
                anchors.put(anchor, new Anchored(node, own[0]));
            }
            return node;
        }

        private JsonNode alias(String name, long[] size) throws IOException {
            Anchored a = anchors.get(name);
            if (a == null) {
                throw new JsonParseException(p, "alias *" + name + " names no anchor (&" + name
                        + ") defined before it in this document");
            }
            aliased += a.size();
            if (aliased > MAX_ALIASED_NODES) {
                throw new JsonParseException(p, "aliases expand to more than " + MAX_ALIASED_NODES
                        + " nodes in this document (an alias bomb?)");
            }
            size[0] += a.size();
            return a.node();
        }

        private JsonNode value(JsonToken t, long[] size) throws IOException {
            size[0]++;
            switch (t) {
                case START_OBJECT: {
                    ObjectNode obj = NODES.objectNode();
                    List<ObjectNode> merged = new ArrayList<>();
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        JsonNode v = read(p.nextToken(), size);
                        if (name.equals(MERGE_KEY)) {
                            mergeSources(v, merged);
                        } else {
                            obj.set(name, v);
                        }
                    }
                    // Explicit fields win over merged ones, and an earlier merge source over a later one.
                    for (ObjectNode m : merged) {
                        m.properties().forEach(e -> {
                            if (!obj.has(e.getKey())) {
                                obj.set(e.getKey(), e.getValue());
                            }
                        });
                    }
                    return obj;
                }
                case START_ARRAY: {
                    ArrayNode arr = NODES.arrayNode();
                    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                        arr.add(read(t, size));
                    }
                    return arr;
                }
                case VALUE_STRING:
                    return NODES.textNode(p.getText());
                case VALUE_NUMBER_INT:
                    return switch (p.getNumberType()) {
                        case INT -> NODES.numberNode(p.getIntValue());
                        case LONG -> NODES.numberNode(p.getLongValue());
                        default -> NODES.numberNode(p.getBigIntegerValue());
                    };
                case VALUE_NUMBER_FLOAT:
                    return NODES.numberNode(p.getDecimalValue());
                case VALUE_TRUE:
                    return NODES.booleanNode(true);
                case VALUE_FALSE:
                    return NODES.booleanNode(false);
                case VALUE_NULL:
                    return NODES.nullNode();
                default:
                    return NODES.textNode(p.getText());
            }
        }

        private void mergeSources(JsonNode v, List<ObjectNode> merged) throws IOException {
            if (v instanceof ObjectNode o) {
                merged.add(o);
                return;
            }
            if (v.isArray()) {
                for (JsonNode e : v) {
                    if (!(e instanceof ObjectNode o)) {
                        throw new JsonParseException(p, "a merge key (<<) takes a mapping or a list of mappings");
                    }
                    merged.add(o);
                }
                return;
            }
            throw new JsonParseException(p, "a merge key (<<) takes a mapping or a list of mappings, found "
                    + v.getNodeType());
        }
    }
}
