package dev.trellis.agents.tools;

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.rag.content.retriever.ContentRetriever;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Makes tools: from an object's langchain4j {@code @Tool} methods, from built-in names
 * (LangChain's {@code load_tools}), or one by one.
 *
 * <pre>{@code
 * List<AgentTool> tools = Tools.load(List.of("llm-math", "wikipedia"), llm);
 * tools.addAll(Tools.fromObject(new MyTools()));      // every @Tool method
 * tools.add(Tools.searchDocuments(retriever));         // the user's own documents
 * }</pre>
 */
public final class Tools {

    private Tools() {
    }

    /**
     * Every public or package-visible {@code @Tool} method of the object (static ones too), in name
     * order. A method with one {@code String} parameter receives a text agent's input as is.
     */
    public static List<AgentTool> fromObject(Object object) {
        Objects.requireNonNull(object, "object");
        Class<?> type = object instanceof Class<?> c ? c : object.getClass();
        Object target = object instanceof Class<?> ? null : object;
        List<Method> methods = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method method : c.getDeclaredMethods()) {
                if (method.isAnnotationPresent(Tool.class) && !method.isBridge()) {
                    if (target == null && !Modifier.isStatic(method.getModifiers())) {
                        throw new IllegalArgumentException("@Tool method " + method.getName() + " of " + type.getName()
                                + " is not static; pass an instance to Tools.fromObject, not the class");
                    }
                    methods.add(method);
                }
            }
        }
        if (methods.isEmpty()) {
            throw new IllegalArgumentException(type.getName() + " has no method annotated with "
                    + "dev.langchain4j.agent.tool.@Tool; annotate the methods the agent may call");
        }
        methods.sort(Comparator.comparing(Method::getName));
        List<AgentTool> tools = new ArrayList<>(methods.size());
        for (Method method : methods) {
            tools.add(new MethodTool(target, method));
        }
        return tools;
    }

    /** The tools of several objects, in order. */
    public static List<AgentTool> fromObjects(Object... objects) {
        List<AgentTool> tools = new ArrayList<>();
        Arrays.stream(objects).map(Tools::fromObject).forEach(tools::addAll);
        return tools;
    }

    /**
     * Built-in tools by LangChain name: {@code llm-math}, {@code wikipedia}, {@code date};
     * {@code search-documents} needs a retriever, so use {@link #loader()}. Returns a mutable list.
     */
    public static List<AgentTool> load(List<String> names, ChatModel llm) {
        return loader().llm(llm).load(names);
    }

    /** Loads built-ins with more configuration: a retriever, a Wikipedia endpoint, a clock. */
    public static ToolLoader loader() {
        return new ToolLoader();
    }

    /** The calculator: the model writes an expression, exp4j evaluates it. */
    public static LlmMathTool llmMath(ChatModel llm) {
        return LlmMathTool.create(llm);
    }

    /** Wikipedia search and page summaries over the MediaWiki API at this endpoint. */
    public static WikipediaTool wikipedia(String endpoint) {
        return WikipediaTool.builder().endpoint(endpoint).build();
    }

    /** A retriever as the {@code search_documents} tool. */
    public static SearchDocumentsTool searchDocuments(ContentRetriever retriever) {
        return SearchDocumentsTool.create(retriever);
    }

    /** Today's date (ISO, e.g. 2024-05-31) on the system clock. */
    public static AgentTool date() {
        return date(Clock.systemDefaultZone());
    }

    /** Today's date on this clock. */
    public static AgentTool date(Clock clock) {
        Objects.requireNonNull(clock, "clock");
        return AgentTool.of("date", "Returns today's date as YYYY-MM-DD. Use it for any question about today's date; "
                + "the input is ignored, and any date arithmetic happens outside this tool.",
                ignored -> LocalDate.now(clock).toString());
    }
}
