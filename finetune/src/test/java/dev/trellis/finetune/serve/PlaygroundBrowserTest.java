package dev.trellis.finetune.serve;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Headless Chromium opens the playground, sends a message and watches the answer stream in; then
 * opens the dashboard of a checkpoint. Screenshots go to {@code target/screenshots/}. Needs
 * Debian's {@code chromium} and {@code chromium-driver} (.ci/run installs them).
 */
class PlaygroundBrowserTest {

    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("TRELLIS_CHROMIUM", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getenv().getOrDefault("TRELLIS_CHROMEDRIVER", "/usr/bin/chromedriver"));

    @Test
    void playgroundStreamsAnAnswerAndDashboardShowsTheCheckpoint(@TempDir Path checkpoint) throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER), "Skipped: needs " + CHROMIUM
                + " and " + CHROMEDRIVER + " (apt-get install chromium chromium-driver; .ci/run installs them)");
        Files.writeString(checkpoint.resolve("trellis.json"),
                "{\"baseModel\":\"tiny-gpt\",\"template\":{\"name\":\"alpaca\"},\"training\":{\"steps\":120,\"learningRate\":0.001}}");
        Files.writeString(checkpoint.resolve("metrics.jsonl"),
                "{\"step\":10,\"loss\":3.1}\n{\"step\":20,\"loss\":2.4}\n{\"step\":30,\"loss\":1.9,\"eval_loss\":2.1}\n");
        Files.writeString(checkpoint.resolve("eval.jsonl"),
                "{\"question\":\"What is Trellis?\",\"exact_match\":1,\"rougeL\":0.83}\n");

        EchoModel model = new EchoModel();
        Path shots = Path.of("target", "screenshots");
        Files.createDirectories(shots);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1200,800", "--user-data-dir=" + checkpoint.resolve("chrome-profile"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        try (ModelServer server = ModelServer.builder().chatModel(new SlowStreaming(model)).modelId("echo")
                .checkpointDir(checkpoint).port(0).build().start()) {
            WebDriver driver = new ChromeDriver(service, options);
            try {
                String root = "http://127.0.0.1:" + server.port();
                driver.get(root + "/");
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
                wait.until(d -> d.findElement(By.id("model-name")).getText().equals("echo"));
                driver.findElement(By.id("system")).sendKeys("Answer briefly.");
                driver.findElement(By.id("prompt")).sendKeys("how do I finetune a model");
                driver.findElement(By.id("send")).click();

                // Record what the answer bubble shows while it streams: several growing prefixes.
                Set<String> seen = new LinkedHashSet<>();
                WebElement answer = wait.until(d -> d.findElement(By.cssSelector(".msg.assistant")));
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (!"done".equals(answer.getAttribute("data-state")) && System.nanoTime() < deadline) {
                    seen.add(answer.getText());
                    Thread.sleep(15);
                }
                assertThat(answer.getAttribute("data-state")).isEqualTo("done");
                assertThat(answer.getText()).startsWith("Echo: how do I finetune a model");
                List<String> partial = new ArrayList<>(seen);
                partial.removeIf(s -> s.isEmpty() || s.startsWith("Echo: how do I finetune a model"));
                assertThat(partial).as("partial answers seen while streaming").hasSizeGreaterThanOrEqualTo(2);
                assertThat(model.requests.get(0).messages().get(0).toString()).contains("Answer briefly.");
                assertThat(model.requests.get(0).temperature()).isEqualTo(0.7);
                save(driver, shots.resolve("playground.png"));

                driver.get(root + "/dashboard");
                wait.until(d -> d.findElement(By.id("evaluation")).getText().contains("What is Trellis?"));
                assertThat(driver.findElement(By.id("provenance")).getText()).contains("tiny-gpt").contains("training.steps");
                assertThat(driver.findElements(By.cssSelector("#loss svg path"))).hasSize(2);
                save(driver, shots.resolve("dashboard.png"));
            } finally {
                driver.quit();
            }
        }
    }

    private static void save(WebDriver driver, Path target) throws Exception {
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(target)).isGreaterThan(1000);
    }

    /** Streams the echo model's words with a pause between them, so a browser can see the stream grow. */
    static final class SlowStreaming implements dev.langchain4j.model.chat.ChatModel,
            dev.langchain4j.model.chat.StreamingChatModel {
        private final EchoModel model;

        SlowStreaming(EchoModel model) {
            this.model = model;
        }

        @Override
        public dev.langchain4j.model.chat.response.ChatResponse doChat(dev.langchain4j.model.chat.request.ChatRequest request) {
            return model.doChat(request);
        }

        @Override
        public void doChat(dev.langchain4j.model.chat.request.ChatRequest request,
                           dev.langchain4j.model.chat.response.StreamingChatResponseHandler handler) {
            dev.langchain4j.model.chat.response.ChatResponse response = model.doChat(request);
            for (String piece : response.aiMessage().text().split("(?<= )")) {
                try {
                    Thread.sleep(120);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    handler.onError(e);
                    return;
                }
                handler.onPartialResponse(piece);
            }
            handler.onCompleteResponse(response);
        }

        @Override
        public dev.langchain4j.model.chat.request.ChatRequestParameters defaultRequestParameters() {
            return model.defaultRequestParameters();
        }

        @Override
        public java.util.List<dev.langchain4j.model.chat.listener.ChatModelListener> listeners() {
            return java.util.List.of();
        }

        @Override
        public dev.langchain4j.model.ModelProvider provider() {
            return dev.langchain4j.model.ModelProvider.OTHER;
        }

        @Override
        public java.util.Set<dev.langchain4j.model.chat.Capability> supportedCapabilities() {
            return java.util.Set.of();
        }
    }
}
