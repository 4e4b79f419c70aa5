package dev.trellis.samples;

import dev.trellis.testing.OpenAiCompatibleTestServer;
import dev.trellis.testing.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every sample command, run from the built jar in a child process with no API key, against a real
 * OpenAI-compatible server on loopback (OPENAI_BASE_URL), each within its time budget.
 */
class SamplesIT {

    private static final Duration BUDGET = Duration.ofSeconds(60);

    private static OpenAiCompatibleTestServer server;

    @TempDir
    Path home;

    @BeforeAll
    static void startServer() {
        server = ScriptedServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private TrellisProcess trellis() {
        return new TrellisProcess(home).env("OPENAI_BASE_URL", server.baseUrl()).env("TRELLIS_MODEL", "trellis-test-model");
    }

    @Test
    void helpDescribesEveryCommandWithAnExample() {
        for (String command : List.of("memory", "chains", "router", "qa", "evaluate", "chat", "agent", "quickstart",
                "finetune", "finetune prepare", "finetune train", "finetune eval", "finetune generate")) {
            List<String> args = new java.util.ArrayList<>(List.of(command.split(" ")));
            args.add("--help");
            TrellisProcess.Result result = new TrellisProcess(home).run(null, BUDGET, args.toArray(String[]::new));
            assertThat(result.exitCode()).as(result.toString()).isZero();
            assertThat(result.stdout()).as(command).contains("Usage: trellis " + command).contains("Example");
        }
    }

    @Test
    void memoryShowsAllFourMemories() {
        TrellisProcess.Result result = trellis().run(null, BUDGET, "memory");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout())
                .contains("Using remote model trellis-test-model at " + server.baseUrl())
                .contains("ConversationBufferMemory", "ConversationBufferWindowMemory",
                        "ConversationTokenBufferMemory", "ConversationSummaryBufferMemory")
                // the window of k=1 shows only the last exchange
                .contains("memory.loadMemoryVariables() = {history=Human: Nothing yet, thanks\nAI: Alright}")
                .contains("The human and the AI talked about the day's plans.");
    }

    @Test
    void chainsRunsAllThreeKinds() {
        TrellisProcess.Result result = trellis().run(null, BUDGET, "chains", "--product", "trail running shoes");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).contains("=== LlmChain ===", "=== SimpleSequentialChain ===", "=== SequentialChain ===",
                "English_Review: ", "summary: ", "followup_message: ");
        assertThat(server.requests()).anySatisfy(r -> assertThat(r.lastUserMessage()).contains("trail running shoes"));
    }

    @Test
    void routerSendsEachQuestionToItsExpert() {
        TrellisProcess.Result result = trellis().run(null, BUDGET, "router", "-q", "What is black body radiation?");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(server.requests()).anySatisfy(r ->
                assertThat(r.lastUserMessage()).startsWith("You are a physics professor"));
    }

    @Test
    void agentUsesItsToolsJavaIncluded() {
        TrellisProcess.Result result = trellis().run(null, Duration.ofSeconds(90), "agent");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).contains("75").contains("[Hopper, Turing]")
                .contains(java.time.LocalDate.now().toString());
    }

    @Test
    void qaAnswersFromTheCatalogueWithSources() throws Exception {
        Path csv = catalogSlice();
        TrellisProcess.Result result = trellis().run(null, Duration.ofSeconds(120), "qa", "--catalog", csv.toString(),
                "-q", "Which sun hats do you sell?");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).contains("=== VectorstoreIndex: one line ===", "=== Step by step ===",
                "embedding dimension 384").containsPattern("row \\d+: id: TR-\\d{4}");
        assertThat(server.requests()).anySatisfy(r -> assertThat(r.lastUserMessage()).contains("Which sun hats do you sell?")
                .containsPattern("TR-\\d{4}"));
    }

    @Test
    void evaluateGeneratesExamplesAndGradesThem() throws Exception {
        Path csv = catalogSlice();
        TrellisProcess.Result result = trellis().run(null, Duration.ofSeconds(120), "evaluate", "--catalog", csv.toString(),
                "--generate", "2");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).contains("The model wrote 2 examples", "Real Answer: 7",
                "Question: What does the product cost?", "Predicted Grade: CORRECT", "4 of 4 correct");
    }

    private Path catalogSlice() throws java.io.IOException {
        List<String> lines = Files.readAllLines(Path.of("src/main/resources/data/catalog.csv"));
        Path csv = home.resolve("catalog-slice.csv");
        Files.write(csv, lines.subList(0, 41));
        return csv;
    }

    @Test
    void chatContinuesTheConversationInTheNextProcess() {
        TrellisProcess.Result first = trellis().run("My name is Grace and I climb.\n/exit\n", BUDGET,
                "chat", "--session", "grace");
        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.stdout()).contains("New session 'grace'").contains("ai> Scripted answer");
        assertThat(home.resolve("conversations/grace.json")).exists();

        TrellisProcess.Result second = trellis().run("What is my name?\n", BUDGET, "chat", "--session", "grace");
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.stdout()).contains("Continuing session 'grace'").contains("2 messages");
        RecordedRequest last = server.lastRequest();
        assertThat(last.lastUserMessage()).contains("Human: My name is Grace and I climb.").contains("What is my name?");
    }

    @Test
    void chatResetForgetsTheSession() throws Exception {
        TrellisProcess.Result result = trellis().run("Remember the number 41.\n/reset\nWhich number?\n", BUDGET,
                "chat", "--session", "numbers", "--memory", "window", "--k", "2");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(server.lastRequest().lastUserMessage()).doesNotContain("41").contains("Which number?");
        assertThat(Files.readString(home.resolve("conversations/numbers.json"))).doesNotContain("41");
    }

    @Test
    void finetunePrepareTemplatesSplitsAndTokenizes() {
        Path out = home.resolve("prepared");
        TrellisProcess.Result result = new TrellisProcess(home).run(null, BUDGET, "finetune", "prepare", "--output", out.toString());
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).contains("### Question:").containsPattern("train +5897 +5897 +0 +[0-9]+");
        assertThat(out.resolve("train.jsonl")).isNotEmptyFile();
        assertThat(out.resolve("test.jsonl")).isNotEmptyFile();
        assertThat(out.resolve("tokenizer/tokenizer.json")).isNotEmptyFile();
    }

    @Test
    void finetuneTrainWritesACheckpointEveryCommandCanUse() throws Exception {
        // 60 examples keep training and evaluation short; the split field is honoured as in docs_qa.jsonl.
        List<String> lines = Files.readAllLines(Path.of("src/main/resources/data/docs_qa.jsonl"));
        Path data = home.resolve("qa-slice.jsonl");
        Files.write(data, lines.subList(0, 60));
        TrellisProcess.Result result = new TrellisProcess(home).run(null, Duration.ofSeconds(180),
                "finetune", "train", "--data", data.toString(), "--max-steps", "2", "--batch-size", "4");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).contains("Finetuning trellis-base").contains("Trained 2 steps").contains("held-out loss");
        Path checkpoint = home.resolve("models/default");
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json", "trellis.json", "metrics.jsonl")) {
            assertThat(checkpoint.resolve(file)).as(file).isNotEmptyFile();
        }
    }

    @Test
    void finetuneTrainFromScratchTrainsTheTinyModelAndItsTokenizer() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("src/main/resources/data/docs_qa.jsonl"));
        Path data = home.resolve("qa-slice-scratch.jsonl");
        Files.write(data, lines.subList(0, 60));
        Path out = home.resolve("from-scratch");
        TrellisProcess.Result result = new TrellisProcess(home).run(null, Duration.ofSeconds(180),
                "finetune", "train", "--from-scratch", "--data", data.toString(), "--max-steps", "2", "--batch-size", "4",
                "--output", out.toString());
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).contains("Training trellis-tiny from scratch").contains("Trained 2 steps");
        assertThat(out.resolve("trellis.json")).content().contains("\"base_model\" : \"trellis-tiny\"");
    }

    @Test
    void withoutAnyModelTheUserIsToldHowToConfigureOne() {
        TrellisProcess.Result result = new TrellisProcess(home).run(null, BUDGET, "chains");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.stderr()).contains("OPENAI_API_KEY").contains("OPENAI_BASE_URL").doesNotContain("at dev.trellis");
    }

    @Test
    void quickstartWithARemoteModelAnswersAndEvaluatesWithItAndTrainsNothing() throws Exception {
        // A 30-row slice of the bundled catalogue keeps the embedding step short.
        List<String> lines = Files.readAllLines(Path.of("src/main/resources/data/catalog.csv"));
        Path csv = home.resolve("catalog-slice.csv");
        Files.write(csv, lines.subList(0, 31));
        TrellisProcess.Result result = trellis().run(null, Duration.ofSeconds(180),
                "quickstart", "--catalog", csv.toString(), "-q", "a sun hat with wide brim", "--eval-questions", "2");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).as(result.toString())
                .contains("using the remote model trellis-test-model at " + server.baseUrl())
                .contains("local training skipped")
                .containsPattern("  - a sun hat with wide brim -> Scripted answer \\d+\\.   \\[rows TR-\\d{4}")
                .contains("QAEval grades: 2 correct, 0 incorrect, 0 ungraded")
                .doesNotContain("Finetuning");
        assertThat(home.resolve("models/default")).doesNotExist();
        assertThat(home.resolve("reports/quickstart/report.html")).content().contains("remote model").contains("Scripted answer");
    }
}
