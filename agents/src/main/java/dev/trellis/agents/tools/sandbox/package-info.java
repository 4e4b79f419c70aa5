/**
 * The sandbox behind {@link dev.trellis.agents.tools.JavaReplTool}: a child JVM that runs JShell
 * snippets under a security manager, and the host side that starts, feeds and kills it.
 *
 * <p>Host side: {@link dev.trellis.agents.tools.sandbox.SandboxProcess} starts the child (the same
 * or a configured Java 17-23 {@code java}, empty environment, {@code -Xmx}, the scratch directory as
 * working directory, an empty network namespace where Linux allows it), sends one framed request per
 * call over the child's stdin and reads one framed answer from its stdout, bounded in size. It owns
 * the limits the child cannot be trusted with: the wall-clock limit (kill the process tree) and the
 * answer size; a crash or exit of the child is a result, never an exception in the host.
 *
 * <p>Child side: {@link dev.trellis.agents.tools.sandbox.SandboxMain} builds a JShell whose snippets
 * run in the child itself on their own threads ({@code SnippetExecutionControl}), loaded by an
 * untrusted class loader ({@code SnippetLoaderDelegate}); {@code SandboxPolicy} grants that loader's
 * classes only the scratch directory, {@code SandboxSecurityManager} enforces it over the whole call
 * stack and records each refusal ({@code Refusals}) so the observation can name it; {@code CappedOutput}
 * stops a snippet that prints too much; {@code SnippetEvaluator} reports compile errors, exceptions,
 * memory exhaustion and threads left running. Only this package's classes are on the child's
 * classpath ({@code SandboxClasses}).
 *
 * <p>Why a security manager: it is the one mechanism in Java 17 that confines code by where it came
 * from, through every JDK API and reflection, without a fragile list of forbidden methods. Java 24
 * removed it (JEP 486), so on 24+ the sandbox refuses to start instead of running code unconfined.
 */
package dev.trellis.agents.tools.sandbox;
