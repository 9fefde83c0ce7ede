package io.switchboard.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The operator's dashboard: static files (HTML, CSS, JavaScript; nothing from another site, so it
 * works air-gapped) that the admin server serves at {@code /}, and that poll {@code /api/v1/routes}
 * and {@code /api/v1/status} to draw Services, endpoints, rates and the sources' state.
 */
final class Dashboard {

    /** Only this server's own files and API; no inline script, no framing. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /** One served file. */
    record Asset(String type, byte[] body) {
    }

    private static final Map<String, Asset> ASSETS = Map.of(
            "/", load("dashboard.html", "text/html; charset=utf-8"),
            "/index.html", load("dashboard.html", "text/html; charset=utf-8"),
            "/dashboard.css", load("dashboard.css", "text/css; charset=utf-8"),
            "/dashboard.js", load("dashboard.js", "text/javascript; charset=utf-8"));

    private Dashboard() {
    }

    /** The file served at {@code path}, or null when it is not one of the dashboard's. */
    static Asset asset(String path) {
        return ASSETS.get(path);
    }

    private static Asset load(String name, String type) {
        try (InputStream in = Dashboard.class.getResourceAsStream("dashboard/" + name)) {
            if (in == null) {
                throw new IllegalStateException("dashboard file missing from the jar: " + name);
            }
            return new Asset(type, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
