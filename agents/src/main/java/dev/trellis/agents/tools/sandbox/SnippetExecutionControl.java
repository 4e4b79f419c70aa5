package dev.trellis.agents.tools.sandbox;

import jdk.jshell.execution.DirectExecutionControl;

import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * JShell's in-process execution, with each snippet run on its own thread in one long-lived
 * "trellis-snippets" thread group. Unlike JShell's {@code LocalExecutionControl}, whose waiting on
 * earlier snippets' threads differs between JDK versions, only the snippet's own thread is joined;
 * threads it leaves behind are judged by {@link SnippetEvaluator} and counted against the thread cap
 * through this group.
 */
final class SnippetExecutionControl extends DirectExecutionControl {

    private final ThreadGroup snippets = new ThreadGroup("trellis-snippets");
    private final ClassLoader snippetLoader;
    private final AtomicInteger counter = new AtomicInteger();

    SnippetExecutionControl(SnippetLoaderDelegate delegate) {
        super(delegate);
        this.snippetLoader = delegate.loader();
    }

    @Override
    protected String invoke(Method doitMethod) throws Exception {
        String[] value = new String[1];
        Throwable[] failure = new Throwable[1];
        Thread runner = new Thread(snippets, () -> {
            try {
                // the value's toString() is user code too: run it here, on the snippet's thread
                value[0] = valueString(doitMethod.invoke(null));
            } catch (Throwable thrown) {
                failure[0] = thrown;
            }
        }, "snippet-" + counter.incrementAndGet());
        // service lookups on the snippet's behalf must not reach the trusted sandbox classpath
        runner.setContextClassLoader(snippetLoader);
        runner.start();
        runner.join();
        if (failure[0] instanceof Exception) {
            throw (Exception) failure[0]; // InvocationTargetException becomes JShell's EvalException
        }
        if (failure[0] != null) {
            throw new java.lang.reflect.InvocationTargetException(failure[0]);
        }
        return value[0];
    }
}
