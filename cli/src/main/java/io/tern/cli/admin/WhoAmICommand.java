package io.tern.cli.admin;

import io.tern.api.v1.AdminServiceGrpc;
import io.tern.api.v1.WhoAmIRequest;
import io.tern.api.v1.WhoAmIResponse;
import io.tern.cli.ClientCommand;
import io.tern.cli.client.Protos;
import io.tern.cli.client.SchedulerClient;
import java.io.PrintWriter;

/** {@code tern whoami}: the caller as the scheduler sees it. */
public final class WhoAmICommand extends ClientCommand {
  public WhoAmICommand() {
    super("whoami", "Show who the scheduler takes you for: name, teams, roles.");
  }

  @Override
  public Integer call() {
    WhoAmIResponse me;
    String address;
    try (SchedulerClient scheduler = client.connect()) {
      me =
          scheduler.call(
              c -> AdminServiceGrpc.newBlockingStub(c).whoAmI(WhoAmIRequest.getDefaultInstance()));
      address = scheduler.currentAddress();
    }
    PrintWriter out = out();
    if (output.structured()) {
      out.println(output.render(Protos.json(me)));
    } else {
      out.println("name:    " + me.getName() + " (" + me.getKind() + ")");
      out.println(
          "teams:   " + (me.getTeamsCount() == 0 ? "-" : String.join(", ", me.getTeamsList())));
      out.println(
          "roles:   "
              + (me.getRolesCount() == 0
                  ? "-"
                  : String.join(
                      ", ",
                      me.getRolesList().stream().map(r -> Protos.enumName(r, "ROLE_")).toList())));
      if (me.hasExpiresAt()) {
        out.println("expires: " + Protos.time(me.getExpiresAt()));
      }
      out.println("scheduler: " + address);
    }
    out.flush();
    return 0;
  }
}
