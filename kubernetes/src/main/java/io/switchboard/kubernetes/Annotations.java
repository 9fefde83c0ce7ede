package io.switchboard.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.model.HealthCheck;
import io.switchboard.model.HttpOptions;
import io.switchboard.model.ServiceOptions;
import io.switchboard.scheduler.Algorithm;
import io.switchboard.scheduler.SchedulerFlag;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads {@code switchboard.io/*} Service annotations into {@link ServiceOptions}. An unknown key under
 * the prefix is an error, so a typo is reported rather than silently ignored.
 */
public final class Annotations {

    /** The annotation prefix. */
    public static final String PREFIX = "switchboard.io/";
    public static final String SCHEDULER = PREFIX + "scheduler";
    public static final String SCHEDULER_FLAGS = PREFIX + "scheduler-flags";
    public static final String ENDPOINT_WEIGHTS = PREFIX + "endpoint-weights";
    public static final String HEALTH_CHECK = PREFIX + "health-check";
    public static final String HEALTH_CHECK_INTERVAL = PREFIX + "health-check-interval";
    public static final String HEALTH_CHECK_TIMEOUT = PREFIX + "health-check-timeout";
    public static final String HEALTH_CHECK_RISE = PREFIX + "health-check-rise";
    public static final String HEALTH_CHECK_FALL = PREFIX + "health-check-fall";
    public static final String CONNECT_TIMEOUT = PREFIX + "connect-timeout";
    public static final String CONNECT_ATTEMPTS = PREFIX + "connect-attempts";
    public static final String IDLE_TIMEOUT = PREFIX + "idle-timeout";
    public static final String DOWN_BACKOFF = PREFIX + "down-backoff";
    public static final String UDP_TIMEOUT = PREFIX + "udp-timeout";
    public static final String UDP_STREAM_TIMEOUT = PREFIX + "udp-stream-timeout";
    public static final String HTTP_RETRIES = PREFIX + "http-retries";
    public static final String HTTP_RETRY_BUDGET = PREFIX + "http-retry-budget";
    public static final String HTTP_RETRY_MIN_PER_SECOND = PREFIX + "http-retry-min-per-second";
    public static final String HTTP_TRY_TIMEOUT = PREFIX + "http-try-timeout";
    public static final String HTTP_BODY_TIMEOUT = PREFIX + "http-body-timeout";
    public static final String HTTP_REQUEST_TIMEOUT = PREFIX + "http-request-timeout";
    public static final String HTTP_MAX_REQUESTS = PREFIX + "http-max-requests-per-endpoint";
    public static final String OUTLIER_ERRORS = PREFIX + "outlier-consecutive-errors";
    public static final String OUTLIER_EJECTION = PREFIX + "outlier-base-ejection";
    public static final String HASH_KEY = PREFIX + "hash-key";
    public static final String STICKY_COOKIE = PREFIX + "sticky-cookie";
    public static final String SHARED_LOAD = PREFIX + "shared-load";

    /** Every annotation Switchboard reads. */
    public static final List<String> KNOWN = List.of(SCHEDULER, SCHEDULER_FLAGS, ENDPOINT_WEIGHTS, HEALTH_CHECK,
            HEALTH_CHECK_INTERVAL, HEALTH_CHECK_TIMEOUT, HEALTH_CHECK_RISE, HEALTH_CHECK_FALL, CONNECT_TIMEOUT,
            CONNECT_ATTEMPTS, IDLE_TIMEOUT, DOWN_BACKOFF, UDP_TIMEOUT, UDP_STREAM_TIMEOUT, HTTP_RETRIES,
            HTTP_RETRY_BUDGET, HTTP_RETRY_MIN_PER_SECOND, HTTP_TRY_TIMEOUT, HTTP_BODY_TIMEOUT, HTTP_REQUEST_TIMEOUT, HTTP_MAX_REQUESTS, OUTLIER_ERRORS,
            OUTLIER_EJECTION, HASH_KEY, STICKY_COOKIE, SHARED_LOAD);

    private static final ObjectMapper JSON = new ObjectMapper();

    private Annotations() {
    }

    /** Options from annotations; problems are added to {@code errors} and the default is used instead. */
    public static ServiceOptions parse(Map<String, String> annotations, List<FieldError> errors) {
        Map<String, String> a = annotations == null ? Map.of() : annotations;
        for (String key : a.keySet()) {
            if (key.startsWith(PREFIX) && !KNOWN.contains(key)) {
                errors.add(new FieldError(field(key), "unknown annotation; Switchboard reads " + String.join(", ", KNOWN)));
            }
        }
        ServiceOptions d = ServiceOptions.DEFAULT;
        Algorithm scheduler = value(a, SCHEDULER, d.scheduler(), Algorithm::fromId, errors);
        Set<SchedulerFlag> flags = value(a, SCHEDULER_FLAGS, d.schedulerFlags(), Annotations::flags, errors);
        Map<String, Integer> weights = value(a, ENDPOINT_WEIGHTS, d.endpointWeights(), Annotations::weights, errors);
        HealthCheck hc = HealthCheck.DEFAULT;
        boolean check = value(a, HEALTH_CHECK, false, v -> switch (v) {
            case "tcp" -> true;
            case "none", "" -> false;
            default -> throw new IllegalArgumentException("expected \"tcp\" or \"none\", got \"" + v + "\"");
        }, errors);
        Duration interval = value(a, HEALTH_CHECK_INTERVAL, hc.interval(), Annotations::positiveDuration, errors);
        Duration timeout = value(a, HEALTH_CHECK_TIMEOUT, hc.timeout(), Annotations::positiveDuration, errors);
        int rise = value(a, HEALTH_CHECK_RISE, hc.rise(), v -> intIn(v, 1, 100), errors);
        int fall = value(a, HEALTH_CHECK_FALL, hc.fall(), v -> intIn(v, 1, 100), errors);
        Duration connectTimeout = value(a, CONNECT_TIMEOUT, d.connectTimeout(), Annotations::positiveDuration, errors);
        int attempts = value(a, CONNECT_ATTEMPTS, d.connectAttempts(), v -> intIn(v, 1, 16), errors);
        Duration idle = value(a, IDLE_TIMEOUT, d.idleTimeout(), GoDuration::parse, errors);
        Duration backoff = value(a, DOWN_BACKOFF, d.downBackoff(), GoDuration::parse, errors);
        Duration udp = value(a, UDP_TIMEOUT, d.udpTimeout(), Annotations::positiveDuration, errors);
        Duration udpStream = value(a, UDP_STREAM_TIMEOUT, d.udpStreamTimeout(), Annotations::positiveDuration, errors);
        HttpOptions h = HttpOptions.DEFAULT;
        HttpOptions http = new HttpOptions(
                value(a, HTTP_RETRIES, h.retries(), v -> intIn(v, 0, 10), errors),
                value(a, HTTP_RETRY_BUDGET, h.retryBudgetPercent(), v -> intIn(v.endsWith("%")
                        ? v.substring(0, v.length() - 1) : v, 0, 100), errors),
                value(a, HTTP_TRY_TIMEOUT, h.tryTimeout(), GoDuration::parse, errors),
                value(a, HTTP_REQUEST_TIMEOUT, h.requestTimeout(), GoDuration::parse, errors),
                value(a, HTTP_MAX_REQUESTS, h.maxRequestsPerEndpoint(), v -> intIn(v, 0, 1_000_000), errors),
                value(a, OUTLIER_ERRORS, h.outlierConsecutiveErrors(), v -> intIn(v, 1, 1000), errors),
                value(a, OUTLIER_EJECTION, h.outlierBaseEjection(), Annotations::positiveDuration, errors),
                value(a, HASH_KEY, h.hashKey(), Annotations::hashKey, errors),
                value(a, STICKY_COOKIE, h.stickyCookie(), Annotations::cookieName, errors),
                value(a, HTTP_RETRY_MIN_PER_SECOND, h.retryMinPerSecond(), v -> intIn(v, 0, 100_000), errors),
                value(a, HTTP_BODY_TIMEOUT, h.bodyTimeout(), GoDuration::parse, errors));
        boolean shared = value(a, SHARED_LOAD, d.sharedLoad(), v -> switch (v) {
            case "true" -> true;
            case "false", "" -> false;
            default -> throw new IllegalArgumentException("expected \"true\" or \"false\", got \"" + v + "\"");
        }, errors);
        return new ServiceOptions(scheduler, flags, weights,
                check ? Optional.of(new HealthCheck(interval, timeout, rise, fall)) : Optional.empty(),
                connectTimeout, attempts, idle, backoff, udp, udpStream, http, shared);
    }

    /** The field path of an annotation, for errors. */
    public static String field(String key) {
        return "metadata.annotations[" + key + "]";
    }

    private interface Parser<T> {
        T parse(String value);
    }

    private static <T> T value(Map<String, String> a, String key, T fallback, Parser<T> parser,
                               List<FieldError> errors) {
        String v = a.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return parser.parse(v.trim());
        } catch (RuntimeException e) {
            errors.add(new FieldError(field(key), e.getMessage()));
            return fallback;
        }
    }

    private static Duration positiveDuration(String v) {
        Duration d = GoDuration.parse(v);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("must be greater than zero, got " + v);
        }
        return d;
    }

    private static int intIn(String v, int min, int max) {
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("expected a whole number from " + min + " to " + max + ", got \"" + v + "\"");
    }

    /** {@code header:NAME}, {@code cookie:NAME} or {@code client-ip}. */
    private static HttpOptions.HashKey hashKey(String v) {
        if (v.equals("client-ip")) {
            return HttpOptions.HashKey.CLIENT_IP;
        }
        int colon = v.indexOf(':');
        String kind = colon < 0 ? v : v.substring(0, colon);
        String name = colon < 0 ? "" : v.substring(colon + 1).trim();
        if ((kind.equals("header") || kind.equals("cookie")) && !name.isEmpty()) {
            return new HttpOptions.HashKey(kind.equals("header") ? HttpOptions.HashKey.Source.HEADER
                    : HttpOptions.HashKey.Source.COOKIE, name);
        }
        throw new IllegalArgumentException("expected header:NAME, cookie:NAME or client-ip, got \"" + v + "\"");
    }

    private static String cookieName(String v) {
        if (!v.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
            throw new IllegalArgumentException("not a cookie name: \"" + v + "\"");
        }
        return v;
    }

    private static Set<SchedulerFlag> flags(String v) {
        Set<SchedulerFlag> out = EnumSet.noneOf(SchedulerFlag.class);
        for (String part : v.split(",")) {
            if (!part.isBlank()) {
                out.add(SchedulerFlag.fromId(part.trim()));
            }
        }
        return out;
    }

    /** {@code ip-or-pod=weight,...} or a JSON object; weights from 0 (drain) to 65535 as in IPVS. */
    private static Map<String, Integer> weights(String v) {
        Map<String, Integer> out = new LinkedHashMap<>();
        if (v.startsWith("{")) {
            JsonNode node;
            try {
                node = JSON.readTree(v);
            } catch (Exception e) {
                throw new IllegalArgumentException("invalid JSON: " + e.getMessage());
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.put(e.getKey(), intIn(e.getValue().asText(), 0, 65535));
            }
            return out;
        }
        for (String part : v.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected endpoint=weight pairs separated by commas, got \""
                        + part.trim() + "\"");
            }
            out.put(part.substring(0, eq).trim(), intIn(part.substring(eq + 1).trim(), 0, 65535));
        }
        return out;
    }
}
