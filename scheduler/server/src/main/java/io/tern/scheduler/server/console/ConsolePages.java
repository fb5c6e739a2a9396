package io.tern.scheduler.server.console;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * The console's HTML: a shell per page (navigation, who is signed in, and the element the page's
 * script fills from its live view) and the sign-in form. Every value written into HTML is escaped.
 */
final class ConsolePages {
  static final String UPLOT = "/webjars/uplot/1.6.30/dist/";
  private static final String[][] NAV = {
    {"jobs", "/jobs", "Jobs"},
    {"queue", "/queue", "Queue"},
    {"nodes", "/nodes", "Nodes"},
    {"cost", "/cost", "Cost"},
    {"offpeak", "/offpeak", "Off-peak"},
    {"simulations", "/simulations", "Simulations"},
  };

  private final boolean authenticates;

  ConsolePages(boolean authenticates) {
    this.authenticates = authenticates;
  }

  String shell(String title, String view, ConsoleSession session, Map<String, String> data) {
    StringBuilder attrs = new StringBuilder();
    data.forEach(
        (k, v) -> attrs.append(" data-").append(k).append("=\"").append(escape(v)).append('"'));
    return head(title)
        + header(view, session)
        + "<main id=\"app\" data-view=\""
        + escape(view)
        + "\""
        + attrs
        + "><p class=\"loading\">Loading…</p></main>\n"
        + "<script src=\""
        + UPLOT
        + "uPlot.iife.min.js\"></script>\n<script src=\"/assets/console.js\"></script>\n"
        + "</body></html>\n";
  }

  String problem(ConsoleSession session, String message) {
    return head("Not found")
        + header("", session)
        + "<main><div class=\"empty\"><h2>"
        + escape(message)
        + "</h2><p><a href=\"/jobs\">Back to the jobs</a></p></div></main></body></html>\n";
  }

  String login(String next, String error) {
    String field =
        authenticates
            ? "<label for=\"token\">Token</label><input id=\"token\" name=\"token\" type=\"password\""
                + " autocomplete=\"off\" placeholder=\"tern_…\" required>"
                + "<p class=\"hint\">An admin makes one with <code>tern admin token create --user"
                + " NAME --team TEAM</code>.</p>"
            : "<label for=\"user\">Your name</label><input id=\"user\" name=\"user\" required"
                + " autocomplete=\"username\">"
                + "<p class=\"hint\">This scheduler runs without TLS, so it authenticates nobody:"
                + " everyone may do everything. Use <code>--tls-dir</code> beyond local use.</p>";
    return head("Sign in")
        + "<main class=\"login\"><form method=\"post\" action=\"/login\" class=\"card\">"
        + "<h1><span class=\"logo\">◆</span> Tern console</h1>"
        + (error == null ? "" : "<p class=\"error\" id=\"login-error\">" + escape(error) + "</p>")
        + field
        + "<input type=\"hidden\" name=\"next\" value=\""
        + escape(safeNext(next))
        + "\"><button type=\"submit\" id=\"sign-in\">Sign in</button></form></main></body></html>\n";
  }

  private static String head(String title) {
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<title>"
        + escape(title)
        + " · Tern</title><link rel=\"stylesheet\" href=\""
        + UPLOT
        + "uPlot.min.css\"><link rel=\"stylesheet\" href=\"/assets/console.css\"></head><body>\n";
  }

  private String header(String view, ConsoleSession session) {
    StringBuilder nav = new StringBuilder();
    for (String[] item : NAV) {
      nav.append("<a href=\"")
          .append(item[1])
          .append("\"")
          .append(item[0].equals(view) || item[0].equals(view + "s") ? " class=\"active\"" : "")
          .append(">")
          .append(item[2])
          .append("</a>");
    }
    String who =
        escape(session.user())
            + (session.roles().isEmpty() ? "" : " · " + escape(String.join(", ", session.roles())))
            + (session.teams().isEmpty() ? "" : " · " + escape(String.join(", ", session.teams())));
    return "<header><a class=\"brand\" href=\"/jobs\"><span class=\"logo\">◆</span> Tern</a><nav>"
        + nav
        + "</nav><span class=\"live\" id=\"live\" title=\"live updates\">●</span>"
        + "<span class=\"who\" id=\"who\">"
        + who
        + "</span><form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\""
        + " value=\""
        + escape(session.csrf())
        + "\"><button class=\"link\" id=\"sign-out\">Sign out</button></form>"
        + "<meta name=\"tern-csrf\" content=\""
        + escape(session.csrf())
        + "\"><meta name=\"tern-can-drain\" content=\""
        + canDrain(session)
        + "\"></header>\n";
  }

  /**
   * Whether the page offers drain and undrain (the scheduler checks again): admins, and everyone on
   * a scheduler without authentication, where everyone may do everything.
   */
  private boolean canDrain(ConsoleSession session) {
    return !authenticates || session.roles().contains("admin");
  }

  /** Where to go after signing in: a path on this console only. */
  static String safeNext(String next) {
    if (next == null || !next.startsWith("/") || next.startsWith("//") || next.contains("\\")) {
      return "/jobs";
    }
    return next;
  }

  static String me(ConsoleSession session) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("user", session.user());
    session.teams().forEach(out.putArray("teams")::add);
    session.roles().forEach(out.putArray("roles")::add);
    return out.toString();
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
