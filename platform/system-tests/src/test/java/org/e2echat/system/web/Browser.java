package org.e2echat.system.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium with a profile directory of its own (its own IndexedDB), driven by
 * Selenium through Debian's chromedriver. Starting fails — never skips — when the browser or the
 * driver is missing. Every console message is kept, so a test can fail on console errors.
 */
final class Browser implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(30);

    final ChromeDriver driver;
    private final List<String> console = new ArrayList<>();

    private Browser(ChromeDriver driver) {
        this.driver = driver;
    }

    /** A browser with {@code profile} as its user data directory, at the given window size. */
    static Browser start(Path profile, int width, int height) throws IOException {
        Files.createDirectories(profile);
        String binary = System.getProperty("e2echat.chromium", "/usr/bin/chromium");
        String driverBinary = System.getProperty("e2echat.chromedriver", "/usr/bin/chromedriver");
        for (String file : List.of(binary, driverBinary)) {
            if (!Files.isExecutable(Path.of(file))) {
                throw new IllegalStateException(file + " is missing: install Debian's chromium and chromium-driver"
                        + " (apt-get install -y chromium chromium-driver; .ci/run does so)");
            }
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(binary);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-extensions", "--user-data-dir=" + profile.toAbsolutePath(),
                "--window-size=" + width + "," + height);
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(driverBinary)).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(width, height));
        return new Browser(driver);
    }

    void open(String url) {
        driver.get(url);
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** Waits until the element is there and visible, then returns it. */
    WebElement await(String css) {
        return new WebDriverWait(driver, WAIT).until(d -> {
            List<WebElement> found = d.findElements(By.cssSelector(css));
            return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
        });
    }

    /** Types into the element, again if the page re-rendered it meanwhile. */
    void type(String css, String text) {
        new WebDriverWait(driver, WAIT).ignoring(StaleElementReferenceException.class).until(d -> {
            WebElement input = await(css);
            input.clear();
            input.sendKeys(text);
            return true;
        });
    }

    /** Clicks the element, again if the page re-rendered it between finding and clicking. */
    void click(String css) {
        new WebDriverWait(driver, WAIT).ignoring(StaleElementReferenceException.class).until(d -> {
            await(css).click();
            return true;
        });
    }

    byte[] screenshot() {
        return driver.getScreenshotAs(OutputType.BYTES);
    }

    /** Console messages since the last call, as "LEVEL message". */
    List<String> drainConsole() {
        List<String> fresh = new ArrayList<>();
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            fresh.add(entry.getLevel() + " " + entry.getMessage());
        }
        console.addAll(fresh);
        return fresh;
    }

    /** Fails on any console error (SEVERE) since the last check that {@code expected} does not allow. */
    void assertNoConsoleErrors(Predicate<String> expected) {
        List<String> errors = drainConsole().stream()
                .filter(line -> line.startsWith(Level.SEVERE.getName()))
                .filter(expected.negate())
                .collect(Collectors.toList());
        assertEquals(List.of(), errors, "console errors in the page");
    }

    void assertNoConsoleErrors() {
        assertNoConsoleErrors(line -> false);
    }

    @Override
    public void close() {
        driver.quit();
    }
}
