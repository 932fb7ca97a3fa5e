// GraphiQL with the admin page's session: its bearer token goes in the Authorization header of
// each HTTP request and in the websocket's connection_init (graphql-ws), read at each use, so
// signing in again on the admin page, in this tab, is picked up without a reload. React,
// ReactDOM, GraphiQL and graphqlWs are the globals of the vendor/ scripts that index.html
// loads before this module.

import { gql } from "../lib/api.js";
import { h, replace } from "../lib/dom.js";
import * as session from "../lib/session.js";

const GRAPHQL_URL = new URL("/graphql", location.origin);
const WEBSOCKET_URL = new URL(GRAPHQL_URL);
WEBSOCKET_URL.protocol = location.protocol === "https:" ? "wss:" : "ws:";
const ME = "{ me { user { email role } account { name } } }";
const DEFAULT_QUERY = `# Requests carry the admin page's session (the bar above says whose).
# Queries go over HTTP, subscriptions over a websocket; mutations only over HTTP.

{
  me {
    user { email role }
    account { name tier }
  }
}
`;

function authorization() {
  const token = session.token();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

// A header set in GraphiQL's own headers editor wins over the session's.
function withSession(url, init = {}) {
  const headers = new Headers(init.headers);
  for (const [name, value] of Object.entries(authorization())) {
    if (!headers.has(name)) headers.set(name, value);
  }
  return fetch(url, { ...init, headers });
}

function fetcher() {
  return GraphiQL.createFetcher({
    url: GRAPHQL_URL.href,
    fetch: withSession,
    wsClient: graphqlWs.createClient({
      url: WEBSOCKET_URL.href,
      lazy: true,
      connectionParams: authorization,
    }),
  });
}

async function showSession() {
  const status = document.getElementById("session");
  const signIn = h("a", { href: "/admin/" }, "Sign in on the admin page");
  if (!session.token()) {
    status.dataset.signedIn = "false";
    replace(status, "Not signed in: requests go without a session. ", signIn,
      ", then come back from its GraphiQL link in this tab.");
    return;
  }
  try {
    const { me } = await gql(ME);
    status.dataset.signedIn = "true";
    replace(status, `Signed in as ${me.user.email} (${me.user.role.toLowerCase().replace("_", " ")}) `,
      `of ${me.account.name}, with the admin page's session.`);
  } catch (error) {
    // An ended session was forgotten by lib/api.js: say so, with the way back.
    status.dataset.signedIn = "false";
    replace(status, `${error.message} `, signIn, ".");
  }
}

const root = ReactDOM.createRoot(document.getElementById("graphiql"));
root.render(React.createElement(GraphiQL, { fetcher: fetcher(), defaultQuery: DEFAULT_QUERY }));
showSession();
