package io.tern.scheduler.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.api.v1.Budget;
import io.tern.api.v1.FinOpsServiceGrpc;
import io.tern.api.v1.JobStatus;
import io.tern.api.v1.OffPeakWindow;
import io.tern.api.v1.SchedulerMessage;
import io.tern.api.v1.SetBudgetRequest;
import io.tern.api.v1.SetOffPeakWindowRequest;
import io.tern.scheduler.server.auth.SecureCluster;
import io.tern.scheduler.server.testing.FakeAgent;
import io.tern.security.token.BearerToken;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (Debian's headless chromium through its chromedriver) against a
 * real TLS scheduler: sign in, follow a job from queued to succeeded without reloading, cancel one,
 * drain and undrain a node, watch a team's cost rise, and find no way to another team's job. Each
 * page's screenshot goes to target/console-screenshots/. Skipped only where no chromium or
 * chromedriver is installed ({@code apt-get install chromium chromium-driver}).
 */
class ConsoleBrowserTest {
  private static final List<String> CHROMIUM =
      List.of("/usr/bin/chromium", "/usr/bin/chromium-browser");
  private static final List<String> DRIVER =
      List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
  private static final Path SHOTS = Path.of("target", "console-screenshots");
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir static Path dir;
  static ConsoleFixture fixture;
  static WebDriver browser;

  @BeforeAll
  static void start() throws Exception {
    String chromium = firstExecutable(CHROMIUM);
    String driver = firstExecutable(DRIVER);
    Assumptions.assumeTrue(
        chromium != null && driver != null,
        "no chromium and chromedriver here (looked for "
            + CHROMIUM
            + " and "
            + DRIVER
            + "): apt-get install chromium chromium-driver to run the console's browser tests");
    fixture = new ConsoleFixture(dir);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium);
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        // The cluster's own CA signed the console's certificate; the HTTP tests check it properly.
        "--ignore-certificate-errors",
        "--window-size=1280,900");
    browser =
        new ChromeDriver(
            new ChromeDriverService.Builder().usingDriverExecutable(new File(driver)).build(),
            options);
    browser.manage().timeouts().pageLoadTimeout(WAIT);
    Files.createDirectories(SHOTS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void followsAJobFromQueuedToSucceededLiveAndCancelsAnother() throws Exception {
    signIn(fixture.alice);
    String id = fixture.submit(fixture.alice, "resnet50-live", "vision", 2);
    browser.get(fixture.base() + "/jobs");
    waitForText(By.cssSelector("tr[data-job='" + id + "'] td.state"), "starting");
    markPage();
    FakeAgent agent = fixture.agentOf(id);
    agent.next(SchedulerMessage.KindCase.START_JOB, 20);
    agent.status(id, 1, JobStatus.Phase.PHASE_STARTED, 0);
    waitForText(By.cssSelector("tr[data-job='" + id + "'] td.state"), "running");
    assertNotReloaded();
    screenshot("jobs");

    browser.findElement(By.linkText(id)).click();
    waitForText(By.id("job-state"), "running");
    markPage();
    screenshot("job");
    agent.status(id, 1, JobStatus.Phase.PHASE_EXITED, 0);
    waitForText(By.id("job-state"), "succeeded");
    assertNotReloaded();
    assertThat(browser.findElements(By.id("cancel"))).isEmpty();

    String waiting =
        fixture.submit(
            fixture.alice,
            ConsoleFixture.spec("needs-h100", "vision", 1)
                .setResources(
                    io.tern.api.v1.Resources.newBuilder()
                        .setGpus(1)
                        .setNodes(1)
                        .addGpuModels("H100"))
                .build(),
            true);
    browser.get(fixture.base() + "/queue");
    waitForText(By.id("queue"), waiting);
    screenshot("queue");
    browser.get(fixture.base() + "/jobs/" + waiting);
    waitForText(By.id("job-state"), "pending");
    ((JavascriptExecutor) browser).executeScript("window.confirm = () => true;");
    browser.findElement(By.id("cancel")).click();
    waitForText(By.id("job-state"), "cancelled");
    assertThat(fixture.job(waiting).getState().name()).isEqualTo("JOB_STATE_CANCELLED");
  }

  @Test
  void anAdminDrainsAndUndrainsANode() throws Exception {
    signIn(fixture.cluster.admin);
    browser.get(fixture.base() + "/nodes");
    By drain = By.cssSelector("button[data-drain='gpu-spot-1']");
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.elementToBeClickable(drain));
    screenshot("nodes");
    markPage();
    ((JavascriptExecutor) browser).executeScript("window.confirm = () => true;");
    browser.findElement(drain).click();
    By undrain = By.cssSelector("button[data-undrain='gpu-spot-1']");
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.elementToBeClickable(undrain));
    waitForText(By.cssSelector("tr[data-node='gpu-spot-1'] td.state"), "draining");
    browser.findElement(undrain).click();
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.elementToBeClickable(drain));
    waitForText(By.cssSelector("tr[data-node='gpu-spot-1'] td.state"), "ready");
    assertNotReloaded();
  }

  @Test
  void anAdminDrainsANodeAndMovesItsJobsWithACheckpoint() throws Exception {
    String id =
        fixture.submit(
            fixture.alice,
            ConsoleFixture.spec("moves", "vision", 1)
                .setCheckpoint(
                    io.tern.api.v1.CheckpointPolicy.newBuilder()
                        .setSignal("SIGUSR1")
                        .setGrace(com.google.protobuf.Duration.newBuilder().setSeconds(60)))
                .build(),
            false);
    FakeAgent agent = fixture.agentOf(id);
    agent.next(SchedulerMessage.KindCase.START_JOB, 20);
    agent.status(id, 1, JobStatus.Phase.PHASE_STARTED, 0);
    signIn(fixture.cluster.admin);
    browser.get(fixture.base() + "/nodes");
    By evacuate = By.cssSelector("button[data-evacuate='" + agent.nodeId + "']");
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.elementToBeClickable(evacuate));
    ((JavascriptExecutor) browser).executeScript("window.confirm = () => true;");
    browser.findElement(evacuate).click();
    assertThat(
            agent.next(SchedulerMessage.KindCase.CHECKPOINT_JOB, 20).getCheckpointJob().getJobId())
        .isEqualTo(id);
    waitForText(By.cssSelector("tr[data-node='" + agent.nodeId + "'] td.state"), "draining");
    By undrain = By.cssSelector("button[data-undrain='" + agent.nodeId + "']");
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.elementToBeClickable(undrain));
    browser.findElement(undrain).click();
    waitForText(By.cssSelector("tr[data-node='" + agent.nodeId + "'] td.state"), "ready");
  }

  @Test
  void aTeamsCostRisesOnTheCostPage() throws Exception {
    finops()
        .setBudget(
            SetBudgetRequest.newBuilder()
                .setBudget(Budget.newBuilder().setTeam("vision").setMonthlyUsd(500).setSoftAt(0.8))
                .build());
    String id = fixture.submit(fixture.alice, "bert-cost", "vision", 1);
    FakeAgent agent = fixture.agentOf(id);
    agent.next(SchedulerMessage.KindCase.START_JOB, 20);
    agent.status(id, 1, JobStatus.Phase.PHASE_STARTED, 0);
    signIn(fixture.finops);
    browser.get(fixture.base() + "/cost");
    String before = textOf(By.id("total-cost"));
    markPage();
    for (int i = 0; i < 6; i++) {
      fixture.cluster.clock.advance(Duration.ofSeconds(20));
      fixture.onDemand.heartbeat();
      fixture.spot.heartbeat();
    }
    new WebDriverWait(browser, WAIT)
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(d -> !d.findElement(By.id("total-cost")).getText().equals(before));
    String after = textOf(By.id("total-cost"));
    assertThat(dollars(after)).isGreaterThan(dollars(before));
    assertThat(textOf(By.cssSelector("tr[data-team='vision'] .team-total"))).startsWith("$");
    assertNotReloaded();
    screenshot("cost");

    // The leader samples the job's GPU every 10 s of the scheduler's clock: move it on while
    // waiting, and the job's page charts the samples.
    // (FinOps read every team's costs and jobs; acting on a job is for its team.)
    signIn(fixture.alice);
    browser.get(fixture.base() + "/jobs/" + id);
    new WebDriverWait(browser, WAIT)
        .pollingEvery(Duration.ofSeconds(1))
        .until(
            d -> {
              fixture.cluster.clock.advance(GpuHistory.STEP);
              fixture.onDemand.heartbeat();
              fixture.spot.heartbeat();
              return !d.findElements(By.cssSelector("#gpu-chart .uplot")).isEmpty();
            });

    finops()
        .setOffPeakWindow(
            SetOffPeakWindowRequest.newBuilder()
                .setWindow(
                    OffPeakWindow.newBuilder()
                        .setName("nights")
                        .setCron("0 0 20 ? * MON-FRI")
                        .setDuration(
                            com.google.protobuf.Duration.newBuilder().setSeconds(11 * 3600))
                        .setTimeZone("Europe/Berlin"))
                .build());
    browser.get(fixture.base() + "/offpeak");
    waitForText(By.id("offpeak"), "nights");
    screenshot("offpeak");
    // The calendar is drawn on the window's own clock (20:00 in Berlin), and on UTC's on request
    // (19:00 in November, Berlin being an hour ahead).
    assertThat(browser.findElement(By.id("zone")).getText()).isEqualTo("Europe/Berlin");
    assertThat(mondaySlot(20)).isEqualTo("nights");
    assertThat(mondaySlot(19)).isEqualTo("closed");
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("tz")))
        .selectByVisibleText("UTC");
    waitForText(By.id("zone"), "UTC");
    assertThat(mondaySlot(19)).isEqualTo("nights");
    assertThat(mondaySlot(18)).isEqualTo("closed");
  }

  /** The title of the calendar's Monday slot at {@code hour}: the windows open then. */
  private static String mondaySlot(int hour) {
    return (String)
        ((JavascriptExecutor) browser)
            .executeScript(
                "return document.querySelectorAll('.week .slot')[arguments[0] * 7].title;", hour);
  }

  private static FinOpsServiceGrpc.FinOpsServiceBlockingStub finops() throws Exception {
    return FinOpsServiceGrpc.newBlockingStub(fixture.cluster.userChannel())
        .withCallCredentials(SecureCluster.as(fixture.finops))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void aUserOfOneTeamFindsNoTraceOfAnotherTeamsJob() throws Exception {
    String secret = fixture.submit(fixture.bob, "nlp-secret", "nlp", 1);
    signIn(fixture.alice);
    browser.get(fixture.base() + "/jobs/" + secret);
    assertThat(browser.getPageSource()).contains("no job " + secret).doesNotContain("nlp-secret");
    browser.get(fixture.base() + "/jobs?team=nlp");
    new WebDriverWait(browser, WAIT).until(d -> !d.getPageSource().contains("Loading…"));
    assertThat(browser.getPageSource()).doesNotContain(secret).doesNotContain("nlp-secret");
    browser.get(fixture.base() + "/api/jobs/" + secret);
    assertThat(browser.getPageSource()).contains("no job " + secret).doesNotContain("nlp-secret");
    browser.get(fixture.base() + "/queue");
    new WebDriverWait(browser, WAIT).until(d -> !d.getPageSource().contains("Loading…"));
    assertThat(browser.getPageSource()).doesNotContain(secret).doesNotContain("nlp-secret");
  }

  @Test
  void runsASimulationFromThePageAndShowsItsReport() throws Exception {
    signIn(fixture.alice);
    browser.get(fixture.base() + "/simulations");
    waitForPresent(By.id("simulate"));
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("sim-trace")))
        .selectByVisibleText("forty jobs");
    browser.findElement(By.id("sim-seed")).clear();
    browser.findElement(By.id("sim-seed")).sendKeys("42");
    browser.findElement(By.cssSelector("input[name=policies][value=spot-greedy]")).click();
    browser.findElement(By.id("sim-run")).click();
    waitForText(By.cssSelector("tr[data-policy='tern'] td.cost"), "$160.00");
    assertThat(browser.getCurrentUrl()).matches(".*/simulations/sim-[0-9]+");
    assertThat(browser.findElement(By.id("sim-results")).getText())
        .contains("on-demand", "$400.00");
    assertThat(fixture.simulations.last.seed()).isEqualTo(42);
    assertThat(fixture.simulations.last.policies()).containsExactly("tern");
    browser.switchTo().frame("sim-report");
    waitForText(By.id("report"), "report of 40 jobs");
    browser.switchTo().defaultContent();
    screenshot("simulation");
    String id = browser.getCurrentUrl().replaceAll(".*/", "");
    browser.get(fixture.base() + "/simulations");
    waitForText(By.cssSelector("tr[data-sim='" + id + "']"), "forty jobs");
    screenshot("simulations");
  }

  @Test
  void theSignInPageSaysWhatIsWrong() throws Exception {
    browser.manage().deleteAllCookies();
    browser.get(fixture.base() + "/jobs");
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.urlContains("/login"));
    browser.findElement(By.id("token")).sendKeys("tern_nonsense");
    browser.findElement(By.id("sign-in")).click();
    waitForText(By.id("login-error"), "token:");
    screenshot("login");
  }

  private static void signIn(BearerToken token) {
    browser.manage().deleteAllCookies();
    browser.get(fixture.base() + "/login");
    browser.findElement(By.id("token")).sendKeys(token.value());
    browser.findElement(By.id("sign-in")).click();
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.urlContains("/jobs"));
    waitForPresent(By.id("who"));
  }

  /** Marks the page so that a reload (which would drop the mark) fails the test. */
  private static void markPage() {
    ((JavascriptExecutor) browser).executeScript("window.ternNoReload = true;");
  }

  private static void assertNotReloaded() {
    assertThat(((JavascriptExecutor) browser).executeScript("return window.ternNoReload === true;"))
        .as("the page updated itself without a reload")
        .isEqualTo(true);
  }

  /**
   * The text of what {@code by} finds, read again if the live page re-rendered it between finding
   * and reading (a stale element).
   */
  private static String textOf(By by) {
    return new WebDriverWait(browser, WAIT)
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(d -> d.findElement(by).getText());
  }

  private static org.openqa.selenium.WebElement waitForPresent(By by) {
    return new WebDriverWait(browser, WAIT).until(ExpectedConditions.presenceOfElementLocated(by));
  }

  private static void waitForText(By by, String text) {
    new WebDriverWait(browser, WAIT)
        .until(ExpectedConditions.textToBePresentInElementLocated(by, text));
  }

  private static void screenshot(String page) throws Exception {
    byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
    Files.write(SHOTS.resolve(page + ".png"), png);
  }

  private static double dollars(String text) {
    return Double.parseDouble(text.replace("$", "").replace(",", ""));
  }

  private static String firstExecutable(List<String> paths) {
    return paths.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);
  }
}
