package io.switchboard.kubernetes;

import io.switchboard.store.Origin;
import io.switchboard.store.ValidationError;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a manifest file into objects: multi-document YAML (JSON is YAML too), with {@code kind: List}
 * (or any {@code *List}) expanded into its items. While building each tree it records the line of
 * every field, which Jackson's tree model does not keep.
 */
public final class ManifestParser {

    /** The objects of a file, or the syntax error that stopped reading it. */
    public record Result(List<ManifestDocument> documents, ValidationError error) {
        public Result {
            documents = List.copyOf(documents);
        }
    }

    private static final YAMLFactory YAML = new YAMLFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ManifestParser() {
    }

    /** Parses {@code text} read from {@code file}. A syntax error anywhere rejects the whole file. */
    public static Result parse(Path file, String text) {
        return parse(Origin.file(file, 0), text);
    }

    /** Parses {@code text} read from {@code file} (a file, an etcd key). A syntax error anywhere rejects it all. */
    public static Result parse(Origin file, String text) {
        List<ManifestDocument> out = new ArrayList<>();
        try (JsonParser p = YAML.createParser(text)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                JsonLocation start = p.currentTokenLocation();
                int line = start.getLineNr();
                JsonNode root = read(p, t);
                if (root == null || root.isNull() || root.isMissingNode()) {
                    continue;
                }
                if (!root.isObject()) {
                    return new Result(List.of(), new ValidationError(file.atLine(line), null, "",
                            "a document must be a mapping (a Kubernetes object), found " + root.getNodeType()));
                }
                // Lines are worked out from the start of the document's first line, only if an error needs them.
                int from = (int) Math.max(0, start.getCharOffset() - (start.getColumnNr() - 1));
                expand(file, line, (ObjectNode) root, LineIndex.of(text, from, line), out);
            }
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            return new Result(List.of(), new ValidationError(file.atLine(loc == null ? 0 : loc.getLineNr()), null, "",
                    "invalid YAML: " + oneLine(e.getOriginalMessage())));
        } catch (IOException e) {
            return new Result(List.of(), new ValidationError(file, null, "", "cannot read: " + e.getMessage()));
        }
        return new Result(out, null);
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

    private static void expand(Origin file, int line, ObjectNode node, LineIndex lines, List<ManifestDocument> out) {
        String kind = node.path("kind").asText("");
        JsonNode items = node.get("items");
        if (kind.endsWith("List") && items != null && items.isArray()) {
            for (int i = 0; i < items.size(); i++) {
                JsonNode item = items.get(i);
                LineIndex itemLines = lines.under("items[" + i + "]");
                Integer itemLine = itemLines.line("");
                if (item.isObject()) {
                    expand(file, itemLine == null ? line : itemLine, (ObjectNode) item, itemLines, out);
                }
            }
            return;
        }
        out.add(new ManifestDocument(file, line, node, lines));
    }

    /** Reads the value starting at token {@code t}. */
    private static JsonNode read(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT: {
                ObjectNode obj = NODES.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    obj.set(name, read(p, p.nextToken()));
                }
                return obj;
            }
            case START_ARRAY: {
                ArrayNode arr = NODES.arrayNode();
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    arr.add(read(p, t));
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
}
