package dev.trellis.finetune.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.finetune.TinyCheckpoint;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.tokenizer.HfTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With an untrained model, constrained output always parses and validates. */
class JsonConstrainedDecodingTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static CausalLM model;
    static HfTokenizer tokenizer;
    static Generator generator;

    static final String PRODUCT = """
            {"type":"object","properties":{
              "name":{"type":"string"},
              "price":{"type":"number"},
              "stock":{"type":"integer"},
              "waterproof":{"type":"boolean"},
              "category":{"enum":["jacket","pants","boots"]},
              "tags":{"type":"array","items":{"type":"string"}},
              "size":{"type":"object","properties":{"eu":{"type":"integer"},"label":{"type":"string"}},"required":["eu"]}},
             "required":["name","price","category","size"]}""";
    static final String ROUTER = """
            {"type":"object","properties":{"destination":{"enum":["physics","math","DEFAULT"]},
             "next_inputs":{"type":"string"}},"required":["destination","next_inputs"]}""";
    static final String CHOICE = """
            {"anyOf":[{"type":"object","properties":{"tool":{"const":"search"},"query":{"type":"string"}},"required":["tool","query"]},
                      {"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"]},
                      {"type":"array","items":{"type":["integer","null"]}}]}""";

    @BeforeAll
    static void setUp() {
        TinyCheckpoint.write(dir, 5);
        model = CausalLM.load(dir, Device.cpu());
        tokenizer = HfTokenizer.load(dir);
        generator = new Generator(model, tokenizer);
    }

    @AfterAll
    static void tearDown() {
        model.close();
        tokenizer.close();
    }

    @Test
    void twentySeedsTimesFourSchemasAlwaysParseAndValidate() throws Exception {
        Map<String, JsonConstraint> schemas = Map.of(
                "product", JsonConstraint.fromJsonSchema(PRODUCT),
                "router", JsonConstraint.fromJsonSchema(ROUTER),
                "choice", JsonConstraint.fromJsonSchema(CHOICE),
                "any", JsonConstraint.anyJson());
        for (var e : schemas.entrySet()) {
            JsonNode schema = e.getKey().equals("any") ? null : JSON.readTree(
                    e.getKey().equals("product") ? PRODUCT : e.getKey().equals("router") ? ROUTER : CHOICE);
            // 20 seeds per schema: two batches of 10 rows (row i samples with seed + i), a short and a long budget.
            for (int budget : new int[] {16, 48}) {
                GenerationConfig config = GenerationConfig.builder().jsonConstraint(e.getValue())
                        .temperature(budget == 16 ? 1.0 : 2.0).seed(budget * 100L).maxNewTokens(budget).build();
                List<GenerationResult> results = generator.generate(
                        java.util.Collections.nCopies(10, "### Question:\nproduct?\n\n### Answer:\n"), config);
                for (GenerationResult r : results) {
                    String text = r.text();
                    JsonNode parsed = JSON.readTree(text);
                    assertThat(parsed).as(e.getKey() + ": " + text).isNotNull();
                    if (schema != null) {
                        assertThat(valid(parsed, schema)).as(e.getKey() + ": " + text).isTrue();
                    }
                    assertThat(e.getValue().accepts(text)).as(text).isTrue();
                }
            }
        }
    }

    @Test
    void aTinyBudgetStillClosesTheDocument() throws Exception {
        JsonConstraint c = JsonConstraint.fromJsonSchema(PRODUCT);
        for (int budget = 1; budget <= 6; budget++) {
            String text = generator.generate("x", GenerationConfig.builder().jsonConstraint(c).temperature(1.0).seed(budget)
                    .maxNewTokens(budget).build()).text();
            assertThat(valid(JSON.readTree(text), JSON.readTree(PRODUCT))).as(text).isTrue();
        }
    }

    @Test
    void batchedConstrainedRowsEachParse() throws Exception {
        List<GenerationResult> results = generator.generate(List.of("a", "the trail jacket", "price"),
                GenerationConfig.builder().jsonConstraint(JsonConstraint.fromJsonSchema(ROUTER)).temperature(1.0).seed(3)
                        .stopAtEos(false)
                        .maxNewTokens(30).build());
        for (GenerationResult r : results) {
            assertThat(valid(JSON.readTree(r.text()), JSON.readTree(ROUTER))).as(r.text()).isTrue();
        }
    }

    @Test
    void automatonAcceptsValidAndRejectsInvalidDocuments() {
        JsonConstraint any = JsonConstraint.anyJson();
        for (String ok : List.of("{}", "[]", "0", "-1.5e+3", "\"caf\u00e9\"", "{\"a\":[1,{\"b\":null}],\"c\":true}",
                "\"\\u00e9\\n\"", "{ \"a\": 1 }")) {
            assertThat(any.accepts(ok)).as(ok).isTrue();
        }
        for (String bad : List.of("{", "[1,]", "01", "{\"a\"}", "tru", "\"\\x\"", "1.", "{\"a\":1,}", "\"\\ud800\"",
                "{  \"a\":1}")) {
            assertThat(any.accepts(bad)).as(bad).isFalse();
        }
        JsonConstraint router = JsonConstraint.fromJsonSchema(ROUTER);
        assertThat(router.accepts("{\"destination\":\"math\",\"next_inputs\":\"x\"}")).isTrue();
        assertThat(router.accepts("{\"next_inputs\":\"x\",\"destination\":\"DEFAULT\"}")).isTrue();
        assertThat(router.accepts("{\"destination\":\"chemistry\",\"next_inputs\":\"x\"}")).isFalse();
        assertThat(router.accepts("{\"destination\":\"math\"}")).isFalse();
        assertThat(router.accepts("{\"destination\":\"math\",\"next_inputs\":\"x\",\"extra\":1}")).isFalse();
        assertThat(JsonConstraint.fromJsonSchema("{\"type\":\"integer\"}").accepts("1.5")).isFalse();
        assertThat(router.minimalDocument()).isEqualTo("{\"destination\":\"math\",\"next_inputs\":\"\"}");
    }

    @Test
    void unsupportedKeywordsAreRefusedByName() {
        assertThatThrownBy(() -> JsonConstraint.fromJsonSchema("{\"type\":\"string\",\"pattern\":\"a+\"}"))
                .isInstanceOf(JsonConstraintException.class).hasMessageContaining("pattern");
        assertThatThrownBy(() -> JsonConstraint.fromJsonSchema("{\"type\":\"object\",\"properties\":{},\"required\":[\"x\"]"))
                .isInstanceOf(JsonConstraintException.class);
        assertThatThrownBy(() -> JsonConstraint.fromJsonSchema("{\"type\":\"object\",\"properties\":{\"a\":{}},\"required\":[\"x\"]}"))
                .hasMessageContaining("'x'");
    }

    /** A small JSON Schema validator for the subset the tests use. */
    static boolean valid(JsonNode v, JsonNode s) {
        if (s.has("const")) {
            return v.equals(s.get("const"));
        }
        if (s.has("enum")) {
            for (JsonNode e : s.get("enum")) {
                if (e.equals(v)) {
                    return true;
                }
            }
            return false;
        }
        if (s.has("anyOf")) {
            for (JsonNode alt : s.get("anyOf")) {
                if (valid(v, alt)) {
                    return true;
                }
            }
            return false;
        }
        JsonNode type = s.get("type");
        if (type == null) {
            return true;
        }
        if (type.isArray()) {
            for (JsonNode t : type) {
                if (validType(v, t.asText(), s)) {
                    return true;
                }
            }
            return false;
        }
        return validType(v, type.asText(), s);
    }

    static boolean validType(JsonNode v, String type, JsonNode s) {
        switch (type) {
            case "object" -> {
                if (!v.isObject()) {
                    return false;
                }
                for (JsonNode r : s.path("required")) {
                    if (!v.has(r.asText())) {
                        return false;
                    }
                }
                Iterator<Map.Entry<String, JsonNode>> it = v.fields();
                while (it.hasNext()) {
                    var f = it.next();
                    JsonNode ps = s.path("properties").get(f.getKey());
                    if (ps == null || !valid(f.getValue(), ps)) {
                        return false;
                    }
                }
                return true;
            }
            case "array" -> {
                if (!v.isArray()) {
                    return false;
                }
                for (JsonNode item : v) {
                    if (!valid(item, s.get("items"))) {
                        return false;
                    }
                }
                return true;
            }
            case "string" -> {
                return v.isTextual();
            }
            case "number" -> {
                return v.isNumber();
            }
            case "integer" -> {
                return v.isIntegralNumber();
            }
            case "boolean" -> {
                return v.isBoolean();
            }
            case "null" -> {
                return v.isNull();
            }
            default -> throw new IllegalArgumentException(type);
        }
    }
}
