package io.tern.scheduler.server.cloud.ec2;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local HTTP endpoint speaking enough of the EC2 Query API (form-encoded {@code Action=...}, XML
 * answers in the 2016-11-15 namespace) for the connector: RunInstances, DescribeInstances,
 * TerminateInstances, DescribeSpotPriceHistory. Capacity is scripted per {@code type/zone}: how
 * many instances it still has, or an error code it answers with.
 */
final class FakeEc2Server implements AutoCloseable {
  private static final String NS = "http://ec2.amazonaws.com/doc/2016-11-15/";

  record Inst(
      String id,
      String type,
      String zone,
      boolean spot,
      String state,
      String launchTime,
      Map<String, String> tags) {}

  private final HttpServer server;
  final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
  final Map<String, Inst> instances = new TreeMap<>();

  /** type/zone → error code to answer with. */
  final Map<String, String> errors = new HashMap<>();

  /** type/zone → instances still available (absent: unlimited). */
  final Map<String, Integer> capacity = new HashMap<>();

  /** spot prices: rows of type, zone, price, timestamp. */
  final List<String[]> spotPrices = new ArrayList<>();

  private int nextId = 1;

  FakeEc2Server() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  List<Map<String, String>> requests(String action) {
    return requests.stream().filter(r -> action.equals(r.get("Action"))).toList();
  }

  synchronized void setState(String id, String state) {
    Inst i = instances.get(id);
    instances.put(
        id, new Inst(i.id(), i.type(), i.zone(), i.spot(), state, i.launchTime(), i.tags()));
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Map<String, String> form = new TreeMap<>();
    for (String pair : body.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      form.put(k, v);
    }
    requests.add(form);
    String action = form.getOrDefault("Action", "");
    try {
      String xml =
          switch (action) {
            case "RunInstances" -> runInstances(form);
            case "DescribeInstances" -> describeInstances();
            case "TerminateInstances" -> terminateInstances(form);
            case "DescribeSpotPriceHistory" -> spotPriceHistory(form);
            default -> throw new Ec2Error(400, "InvalidAction", "unknown action " + action);
          };
      send(exchange, 200, xml);
    } catch (Ec2Error e) {
      send(
          exchange,
          e.status,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>"
              + e.code
              + "</Code><Message>"
              + e.getMessage()
              + "</Message></Error></Errors><RequestID>req-1</RequestID></Response>");
    }
  }

  private synchronized String runInstances(Map<String, String> form) {
    String type = form.get("InstanceType");
    String zone = form.get("Placement.AvailabilityZone");
    String key = type + "/" + zone;
    String error = errors.get(key);
    if (error != null) {
      // EC2 sends capacity errors as server errors, the rest as client errors.
      int status = error.startsWith("Insufficient") ? 500 : 400;
      throw new Ec2Error(status, error, "scripted " + error + " for " + key);
    }
    int max = Integer.parseInt(form.get("MaxCount"));
    int min = Integer.parseInt(form.get("MinCount"));
    int available = capacity.getOrDefault(key, Integer.MAX_VALUE);
    if (available < min) {
      throw new Ec2Error(500, "InsufficientInstanceCapacity", "no " + type + " in " + zone);
    }
    int n = Math.min(max, available);
    if (capacity.containsKey(key)) {
      capacity.put(key, available - n);
    }
    Map<String, String> tags = new TreeMap<>();
    for (int t = 1; form.containsKey("TagSpecification.1.Tag." + t + ".Key"); t++) {
      tags.put(
          form.get("TagSpecification.1.Tag." + t + ".Key"),
          form.get("TagSpecification.1.Tag." + t + ".Value"));
    }
    boolean spot = "spot".equals(form.get("InstanceMarketOptions.MarketType"));
    StringBuilder items = new StringBuilder();
    for (int i = 0; i < n; i++) {
      String id = String.format("i-%017x", nextId++);
      Inst inst = new Inst(id, type, zone, spot, "pending", "2026-05-04T12:00:00.000Z", tags);
      instances.put(id, inst);
      items.append(item(inst));
    }
    return "<RunInstancesResponse xmlns=\""
        + NS
        + "\"><requestId>r</requestId>"
        + "<reservationId>r-1</reservationId><ownerId>123456789012</ownerId><groupSet/>"
        + "<instancesSet>"
        + items
        + "</instancesSet></RunInstancesResponse>";
  }

  private synchronized String describeInstances() {
    StringBuilder items = new StringBuilder();
    for (Inst i : instances.values()) {
      items.append(item(i));
    }
    return "<DescribeInstancesResponse xmlns=\""
        + NS
        + "\"><requestId>r</requestId>"
        + "<reservationSet><item><reservationId>r-1</reservationId><ownerId>1</ownerId>"
        + "<groupSet/><instancesSet>"
        + items
        + "</instancesSet></item></reservationSet>"
        + "</DescribeInstancesResponse>";
  }

  private synchronized String terminateInstances(Map<String, String> form) {
    List<String> ids = new ArrayList<>();
    for (int n = 1; form.containsKey("InstanceId." + n); n++) {
      ids.add(form.get("InstanceId." + n));
    }
    for (String id : ids) {
      if (!instances.containsKey(id)) {
        throw new Ec2Error(
            400, "InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
      }
    }
    StringBuilder items = new StringBuilder();
    for (String id : ids) {
      setState(id, "shutting-down");
      items
          .append("<item><instanceId>")
          .append(id)
          .append("</instanceId>")
          .append("<currentState><code>32</code><name>shutting-down</name></currentState>")
          .append("<previousState><code>16</code><name>running</name></previousState></item>");
    }
    return "<TerminateInstancesResponse xmlns=\""
        + NS
        + "\"><requestId>r</requestId>"
        + "<instancesSet>"
        + items
        + "</instancesSet></TerminateInstancesResponse>";
  }

  private synchronized String spotPriceHistory(Map<String, String> form) {
    List<String> types = new ArrayList<>();
    for (int n = 1; form.containsKey("InstanceType." + n); n++) {
      types.add(form.get("InstanceType." + n));
    }
    StringBuilder items = new StringBuilder();
    for (String[] p : spotPrices) {
      if (types.contains(p[0])) {
        items
            .append("<item><instanceType>")
            .append(p[0])
            .append("</instanceType>")
            .append("<productDescription>Linux/UNIX</productDescription>")
            .append("<spotPrice>")
            .append(p[2])
            .append("</spotPrice>")
            .append("<timestamp>")
            .append(p[3])
            .append("</timestamp>")
            .append("<availabilityZone>")
            .append(p[1])
            .append("</availabilityZone></item>");
      }
    }
    return "<DescribeSpotPriceHistoryResponse xmlns=\""
        + NS
        + "\"><requestId>r</requestId>"
        + "<spotPriceHistorySet>"
        + items
        + "</spotPriceHistorySet><nextToken/>"
        + "</DescribeSpotPriceHistoryResponse>";
  }

  private static String item(Inst i) {
    int code =
        switch (i.state()) {
          case "pending" -> 0;
          case "running" -> 16;
          case "shutting-down" -> 32;
          case "terminated" -> 48;
          default -> 80;
        };
    StringBuilder tags = new StringBuilder();
    i.tags()
        .forEach(
            (k, v) ->
                tags.append("<item><key>")
                    .append(k)
                    .append("</key><value>")
                    .append(v)
                    .append("</value></item>"));
    return "<item><instanceId>"
        + i.id()
        + "</instanceId><imageId>ami-1</imageId>"
        + "<instanceState><code>"
        + code
        + "</code><name>"
        + i.state()
        + "</name></instanceState>"
        + "<instanceType>"
        + i.type()
        + "</instanceType>"
        + "<launchTime>"
        + i.launchTime()
        + "</launchTime>"
        + "<placement><availabilityZone>"
        + i.zone()
        + "</availabilityZone></placement>"
        + (i.spot() ? "<instanceLifecycle>spot</instanceLifecycle>" : "")
        + "<tagSet>"
        + tags
        + "</tagSet></item>";
  }

  private static void send(HttpExchange exchange, int status, String xml) throws IOException {
    byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/xml;charset=UTF-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static final class Ec2Error extends RuntimeException {
    final int status;
    final String code;

    Ec2Error(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }
}
