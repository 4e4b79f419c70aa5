package dev.trellis.finetune.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNullSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonReferenceSchema;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** OpenAI request bodies in, langchain4j ChatRequests out. */
class ChatCompletionRequestTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static ChatCompletionRequest parse(String json) throws Exception {
        return ChatCompletionRequest.fromJson(JSON.readTree(json.replace('\'', '"')), "served");
    }

    @Test
    void messagesOfEveryRoleIncludingToolTurns() throws Exception {
        ChatRequest request = parse("""
                {'messages': [
                  {'role': 'developer', 'content': 'be brief'},
                  {'role': 'user', 'name': 'ann', 'content': [{'type': 'text', 'text': 'weather in '}, {'type': 'text', 'text': 'Oslo?'}]},
                  {'role': 'assistant', 'content': null, 'tool_calls': [{'id': 'c1', 'type': 'function',
                     'function': {'name': 'weather', 'arguments': '{"city":"Oslo"}'}}]},
                  {'role': 'tool', 'tool_call_id': 'c1', 'content': 'rain'},
                  {'role': 'assistant', 'content': 'It rains.'}
                ]}""".replace("\"city\":\"Oslo\"", "\\\"city\\\":\\\"Oslo\\\"")).chatRequest();

        assertThat(request.messages()).hasSize(5);
        assertThat(((SystemMessage) request.messages().get(0)).text()).isEqualTo("be brief");
        UserMessage user = (UserMessage) request.messages().get(1);
        assertThat(user.singleText()).isEqualTo("weather in Oslo?");
        assertThat(user.name()).isEqualTo("ann");
        AiMessage call = (AiMessage) request.messages().get(2);
        assertThat(call.toolExecutionRequests().get(0).name()).isEqualTo("weather");
        assertThat(call.toolExecutionRequests().get(0).arguments()).isEqualTo("{\"city\":\"Oslo\"}");
        ToolExecutionResultMessage result = (ToolExecutionResultMessage) request.messages().get(3);
        assertThat(result.id()).isEqualTo("c1");
        assertThat(result.toolName()).isEqualTo("weather");
        assertThat(result.text()).isEqualTo("rain");
        assertThat(((AiMessage) request.messages().get(4)).text()).isEqualTo("It rains.");
    }

    @Test
    void samplingParametersIncludingSeed() throws Exception {
        ChatCompletionRequest parsed = parse("""
                {'model': 'served', 'messages': [{'role': 'user', 'content': 'x'}], 'temperature': 0.3, 'top_p': 0.9,
                 'max_tokens': 64, 'stop': 'END', 'seed': 1234, 'frequency_penalty': 0.5, 'stream': true,
                 'stream_options': {'include_usage': true}}""");
        ChatRequest request = parsed.chatRequest();

        assertThat(request.temperature()).isEqualTo(0.3);
        assertThat(request.topP()).isEqualTo(0.9);
        assertThat(request.maxOutputTokens()).isEqualTo(64);
        assertThat(request.stopSequences()).containsExactly("END");
        assertThat(request.frequencyPenalty()).isEqualTo(0.5);
        assertThat(request.modelName()).isEqualTo("served");
        assertThat(((OpenAiChatRequestParameters) request.parameters()).seed()).isEqualTo(1234);
        assertThat(parsed.stream()).isTrue();
        assertThat(parsed.includeUsage()).isTrue();
        assertThat(parse("{'messages': [{'role': 'user', 'content': 'x'}], 'max_completion_tokens': 9}")
                .chatRequest().maxOutputTokens()).isEqualTo(9);
    }

    @Test
    void toolsAndToolChoice() throws Exception {
        String tools = "'tools': [{'type': 'function', 'function': {'name': 'a', 'description': 'A',"
                + " 'parameters': {'type': 'object', 'properties': {'q': {'type': 'string'}}, 'required': ['q']}}},"
                + " {'type': 'function', 'function': {'name': 'b'}}]";
        String user = "'messages': [{'role': 'user', 'content': 'x'}]";

        ChatRequest auto = parse("{" + user + ", " + tools + "}").chatRequest();
        assertThat(auto.toolSpecifications()).extracting(t -> t.name()).containsExactly("a", "b");
        assertThat(auto.toolChoice()).isEqualTo(ToolChoice.AUTO);
        JsonObjectSchema parameters = auto.toolSpecifications().get(0).parameters();
        assertThat(parameters.properties().get("q")).isInstanceOf(JsonStringSchema.class);
        assertThat(parameters.required()).containsExactly("q");

        assertThat(parse("{" + user + ", " + tools + ", 'tool_choice': 'required'}").chatRequest().toolChoice())
                .isEqualTo(ToolChoice.REQUIRED);
        assertThat(parse("{" + user + ", " + tools + ", 'tool_choice': 'none'}").chatRequest().toolSpecifications())
                .isEmpty();
        ChatRequest named = parse("{" + user + ", " + tools
                + ", 'tool_choice': {'type': 'function', 'function': {'name': 'b'}}}").chatRequest();
        assertThat(named.toolSpecifications()).extracting(t -> t.name()).containsExactly("b");
        assertThat(named.toolChoice()).isEqualTo(ToolChoice.REQUIRED);

        assertThatThrownBy(() -> parse("{" + user + ", " + tools
                + ", 'tool_choice': {'type': 'function', 'function': {'name': 'c'}}}"))
                .isInstanceOf(OpenAiApiException.class).hasMessageContaining("'c'");
        assertThatThrownBy(() -> parse("{" + user + ", 'tool_choice': 'required'}"))
                .isInstanceOf(OpenAiApiException.class).hasMessageContaining("no 'tools'");
    }

    @Test
    void responseFormats() throws Exception {
        String user = "'messages': [{'role': 'user', 'content': 'x'}]";
        assertThat(parse("{" + user + ", 'response_format': {'type': 'json_object'}}").chatRequest().responseFormat())
                .isEqualTo(ResponseFormat.JSON);
        assertThat(parse("{" + user + ", 'response_format': {'type': 'text'}}").chatRequest().responseFormat())
                .isEqualTo(ResponseFormat.TEXT);

        ResponseFormat schema = parse("{" + user + ", 'response_format': {'type': 'json_schema', 'json_schema': {"
                + "'name': 'person', 'strict': true, 'schema': {'type': 'object', 'additionalProperties': false,"
                + " 'properties': {'name': {'type': 'string', 'description': 'full name'},"
                + " 'age': {'type': ['integer', 'null']}, 'tags': {'type': 'array', 'items': {'enum': ['a', 'b']}},"
                + " 'home': {'$ref': '#/$defs/place'}}, 'required': ['name', 'age', 'tags', 'home'],"
                + " '$defs': {'place': {'type': 'object', 'properties': {'city': {'type': 'string'}}}}}}}}")
                .chatRequest().responseFormat();
        assertThat(schema.type()).isEqualTo(ResponseFormatType.JSON);
        assertThat(schema.jsonSchema().name()).isEqualTo("person");
        JsonObjectSchema root = (JsonObjectSchema) schema.jsonSchema().rootElement();
        assertThat(root.additionalProperties()).isFalse();
        assertThat(((JsonStringSchema) root.properties().get("name")).description()).isEqualTo("full name");
        assertThat(((JsonAnyOfSchema) root.properties().get("age")).anyOf())
                .hasExactlyElementsOfTypes(JsonIntegerSchema.class, JsonNullSchema.class);
        assertThat(((JsonEnumSchema) ((JsonArraySchema) root.properties().get("tags")).items()).enumValues())
                .containsExactly("a", "b");
        // A non-recursive reference is inlined, so decoders that know no $ref still see the shape.
        assertThat(((JsonObjectSchema) root.properties().get("home")).properties().get("city"))
                .isInstanceOf(JsonStringSchema.class);
        assertThat(root.definitions()).isNullOrEmpty();
        assertThat(root.required()).containsExactly("name", "age", "tags", "home");
    }

    @Test
    void recursiveReferencesStayReferencesWithTheirDefinition() throws Exception {
        ResponseFormat format = parse("{'messages': [{'role': 'user', 'content': 'x'}], 'response_format': {'type':"
                + " 'json_schema', 'json_schema': {'name': 'tree', 'schema': {'type': 'object', 'properties': {'root':"
                + " {'$ref': '#/$defs/node'}}, '$defs': {'node': {'type': 'object', 'properties': {'label': {'type':"
                + " 'string'}, 'children': {'type': 'array', 'items': {'$ref': '#/$defs/node'}}}}}}}}}")
                .chatRequest().responseFormat();
        JsonObjectSchema root = (JsonObjectSchema) format.jsonSchema().rootElement();
        JsonObjectSchema node = (JsonObjectSchema) root.properties().get("root");
        JsonArraySchema children = (JsonArraySchema) node.properties().get("children");
        assertThat(((JsonReferenceSchema) children.items()).reference()).isEqualTo("node");
        assertThat(root.definitions()).containsOnlyKeys("node");

        assertThatThrownBy(() -> parse("{'messages': [{'role': 'user', 'content': 'x'}], 'response_format': {'type':"
                + " 'json_schema', 'json_schema': {'name': 'x', 'schema': {'$ref': '#/$defs/missing'}}}}"))
                .isInstanceOf(OpenAiApiException.class).hasMessageContaining("names no entry");
    }

    @Test
    void invalidBodiesNameTheField() {
        List<String[]> cases = List.of(
                new String[]{"{'messages': []}", "messages"},
                new String[]{"{'messages': 'hi'}", "messages"},
                new String[]{"{'messages': [{'content': 'x'}]}", "messages[0].role"},
                new String[]{"{'messages': [{'role': 'user'}]}", "messages[0].content"},
                new String[]{"{'messages': [{'role': 'tool', 'tool_call_id': 'zz', 'content': 'x'}]}", "messages[0].tool_call_id"},
                new String[]{"{'messages': [{'role': 'user', 'content': [{'type': 'image_url'}]}]}", "messages[0].content[0].type"},
                new String[]{"{'messages': [{'role': 'user', 'content': 'x'}], 'temperature': 3}", "temperature"},
                new String[]{"{'messages': [{'role': 'user', 'content': 'x'}], 'max_tokens': 0}", "max_tokens"},
                new String[]{"{'messages': [{'role': 'user', 'content': 'x'}], 'n': 2}", "n"},
                new String[]{"{'messages': [{'role': 'user', 'content': 'x'}], 'seed': 1.5}", "seed"},
                new String[]{"{'messages': [{'role': 'user', 'content': 'x'}], 'stop': [1]}", "stop[0]"},
                new String[]{"{'messages': [{'role': 'user', 'content': 'x'}], 'stream_options': {'include_usage': true}}", "stream_options"},
                new String[]{"{'messages': [{'role': 'user', 'content': 'x'}], 'response_format': {'type': 'xml'}}", "response_format.type"},
                new String[]{"{'messages': [{'role': 'user', 'content': 'x'}], 'tools': [{'type': 'function', 'function': {'name': 'bad name'}}]}", "tools[0].function.name"});
        for (String[] c : cases) {
            assertThatThrownBy(() -> parse(c[0])).as(c[0]).isInstanceOfSatisfying(OpenAiApiException.class, e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.param()).isEqualTo(c[1]);
            });
        }
    }

    @Test
    void completionAndEmbeddingBodies() throws Exception {
        JsonNode body = JSON.readTree("{\"prompt\": [\"a\", \"b\"], \"max_tokens\": 5, \"echo\": true}");
        CompletionRequest completion = CompletionRequest.fromJson(body, "served");
        assertThat(completion.prompts()).containsExactly("a", "b");
        assertThat(completion.echo()).isTrue();
        assertThat(((UserMessage) completion.chatRequest(1).messages().get(0)).singleText()).isEqualTo("b");
        assertThat(completion.chatRequest(1).maxOutputTokens()).isEqualTo(5);
        assertThatThrownBy(() -> CompletionRequest.fromJson(JSON.readTree("{\"prompt\": \"a\", \"suffix\": \"z\"}"), "s"))
                .isInstanceOf(OpenAiApiException.class).hasMessageContaining("suffix");

        EmbeddingRequest embedding = EmbeddingRequest.fromJson(JSON.readTree("{\"input\": \"x\", \"encoding_format\": \"base64\"}"));
        assertThat(embedding.inputs()).containsExactly("x");
        assertThat(embedding.base64()).isTrue();
        assertThatThrownBy(() -> EmbeddingRequest.fromJson(JSON.readTree("{\"input\": [[1, 2]]}")))
                .isInstanceOf(OpenAiApiException.class).hasMessageContaining("token ids");
    }
}
