package io.switchboard.kubernetes;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
        List<ManifestDocument> out = new ArrayList<>();
        try (JsonParser p = YAML.createParser(text)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                int line = p.currentTokenLocation().getLineNr();
                Map<String, Integer> lines = new HashMap<>();
                JsonNode root = read(p, t, "", lines);
                if (root == null || root.isNull() || root.isMissingNode()) {
                    continue;
                }
                if (!root.isObject()) {
                    return new Result(List.of(), new ValidationError(file, line, null, "",
                            "a document must be a mapping (a Kubernetes object), found " + root.getNodeType()));
                }
                expand(file, line, (ObjectNode) root, lines, out);
            }
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            return new Result(List.of(), new ValidationError(file, loc == null ? 0 : loc.getLineNr(), null, "",
                    "invalid YAML: " + oneLine(e.getOriginalMessage())));
        } catch (IOException e) {
            return new Result(List.of(), new ValidationError(file, 0, null, "", "cannot read: " + e.getMessage()));
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

    private static void expand(Path file, int line, ObjectNode node, Map<String, Integer> lines,
                               List<ManifestDocument> out) {
        String kind = node.path("kind").asText("");
        JsonNode items = node.get("items");
        if (kind.endsWith("List") && items != null && items.isArray()) {
            for (int i = 0; i < items.size(); i++) {
                JsonNode item = items.get(i);
                String prefix = "items[" + i + "]";
                Map<String, Integer> itemLines = new HashMap<>();
                lines.forEach((k, v) -> {
                    if (k.equals(prefix)) {
                        itemLines.put("", v);
                    } else if (k.startsWith(prefix + ".")) {
                        itemLines.put(k.substring(prefix.length() + 1), v);
                    }
                });
                int itemLine = lines.getOrDefault(prefix, line);
                if (item.isObject()) {
                    expand(file, itemLine, (ObjectNode) item, itemLines, out);
                }
            }
            return;
        }
        out.add(new ManifestDocument(file, line, node, Map.copyOf(lines)));
    }

    /** Reads the value starting at token {@code t}, recording the line of each field under {@code path}. */
    private static JsonNode read(JsonParser p, JsonToken t, String path, Map<String, Integer> lines)
            throws IOException {
        switch (t) {
            case START_OBJECT: {
                ObjectNode obj = NODES.objectNode();
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    String child = path.isEmpty() ? name : path + "." + name;
                    lines.put(child, p.currentTokenLocation().getLineNr());
                    obj.set(name, read(p, p.nextToken(), child, lines));
                }
                return obj;
            }
            case START_ARRAY: {
                ArrayNode arr = NODES.arrayNode();
                int i = 0;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    String child = path + "[" + i++ + "]";
                    lines.put(child, p.currentTokenLocation().getLineNr());
                    arr.add(read(p, t, child, lines));
                }
                return arr;
            }
            case VALUE_STRING:
                return NODES.textNode(p.getText());
            case VALUE_NUMBER_INT:
                return NODES.numberNode(p.getBigIntegerValue());
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
