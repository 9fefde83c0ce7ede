package io.switchboard.server;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium driven through chromedriver (Debian's {@code chromium} and
 * {@code chromium-driver}, which {@code build-bin/test} installs), for tests that assert on what a
 * person would see. Nothing is downloaded: both binaries come from the system (override with
 * {@code CHROMIUM} and {@code CHROMEDRIVER}).
 */
final class Browser implements AutoCloseable {

    private final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Starts a headless browser with a fresh profile and a window of {@code width} x {@code height}. */
    static Browser start(int width, int height) throws IOException {
        String chromium = env("CHROMIUM", "/usr/bin/chromium");
        String chromedriver = env("CHROMEDRIVER", "/usr/bin/chromedriver");
        if (!new File(chromium).canExecute() || !new File(chromedriver).canExecute()) {
            throw new IllegalStateException("headless tests need " + chromium + " and " + chromedriver
                    + " (apt-get install chromium chromium-driver; build-bin/test installs them)");
        }
        Path profile = Files.createTempDirectory("switchboard-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-proxy-server", "--disable-background-networking", "--disable-component-update",
                "--disable-extensions", "--no-first-run", "--user-data-dir=" + profile,
                "--window-size=" + width + "," + height);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(chromedriver)).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20)).scriptTimeout(Duration.ofSeconds(10));
        return new Browser(driver, profile);
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? fallback : v;
    }

    /** Loads {@code url}. */
    void open(String url) {
        driver.get(url);
    }

    /** The elements matching a CSS selector, now. */
    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** The text of the first element matching a CSS selector, or null when there is none now. */
    String text(String css) {
        List<WebElement> found = all(css);
        try {
            return found.isEmpty() ? null : found.get(0).getText();
        } catch (org.openqa.selenium.StaleElementReferenceException e) {
            // The page redrew it between finding and reading; the caller asks again.
            return null;
        }
    }

    /** An attribute of the first element matching a CSS selector, or null. */
    String attribute(String css, String name) {
        List<WebElement> found = all(css);
        try {
            return found.isEmpty() ? null : found.get(0).getDomAttribute(name);
        } catch (org.openqa.selenium.StaleElementReferenceException e) {
            return null;
        }
    }

    /** Clicks the first element matching a CSS selector, finding it again when the page redrew it meanwhile. */
    void click(String css) {
        for (int attempt = 0; ; attempt++) {
            try {
                driver.findElement(By.cssSelector(css)).click();
                return;
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                if (attempt >= 20) {
                    throw e;
                }
            }
        }
    }

    /** Runs JavaScript in the page and returns its result. */
    Object script(String js, Object... args) {
        return driver.executeScript(js, args);
    }

    /** Resizes the window. */
    void resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** Saves a PNG screenshot of the window to {@code file}. */
    void screenshot(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        File shot = driver.getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), file, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
