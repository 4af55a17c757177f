# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_keyward_global_optspecs
    string join \n debug help V/version
end

function __fish_keyward_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_keyward_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_keyward_using_subcommand
    set -l cmd (__fish_keyward_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c keyward -n "__fish_keyward_needs_command" -l debug -d 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
complete -c keyward -n "__fish_keyward_needs_command" -l help -d 'Print help'
complete -c keyward -n "__fish_keyward_needs_command" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "auth" -d 'Log in, log out, and get tokens'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "api" -d 'Make an authenticated request to the API and print the answer'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "whoami" -d 'Show who you are logged in as'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "tenants" -d 'List your tenants and choose the default one'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "config" -d 'Read and change settings in config.toml'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "completion" -d 'Print a shell completion script'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh token logout switch doctor setup-git git-credential help" -l help -d 'Print help'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh token logout switch doctor setup-git git-credential help" -l debug -d 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh token logout switch doctor setup-git git-credential help" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh token logout switch doctor setup-git git-credential help" -f -a "login" -d 'Log in to an API: in the browser (default), by pasting a code back (--no-browser), with the device flow (--device), with a personal access token (--token-stdin), or without a person: a CI job\'s ID token (--federated), a service account (--client-credentials)'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh token logout switch doctor setup-git git-credential help" -f -a "status" -d 'Show every stored login, or one API\'s (-h); exit 1 when one is not usable'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh token logout switch doctor setup-git git-credential help" -f -a "refresh" -d 'Refresh the access token now (OAuth logins with a refresh token)'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh token logout switch doctor setup-git git-credential help" -f -a "token" -d 'Print the access token on stdout, for scripts'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh token logout switch doctor setup-git git-credential help" -f -a "logout" -d 'Remove the stored login of the active account of an API (keychain and file), or of the account -u names, or of every account (--all). Settings stay'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh token logout switch doctor setup-git git-credential help" -f -a "switch" -d 'Make another stored account of an API the active one'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh token logout switch doctor setup-git git-credential help" -f -a "doctor" -d 'Check what a login needs and say what to fix; exit 1 when a check fails'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh token logout switch doctor setup-git git-credential help" -f -a "setup-git" -d 'Make git use your login for HTTPS remotes (git clone, git push)'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh token logout switch doctor setup-git git-credential help" -f -a "git-credential" -d 'The git credential helper `auth setup-git` installs (run by git)'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh token logout switch doctor setup-git git-credential help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from login" -s h -l api-url -l hostname -d 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from login" -l tenant -d 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, then a .keyward.toml pin, then config, then the login\'s)' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from login" -l with-token -d 'Log in with a personal access token read from standard input (as gh\'s --with-token); `--with-token TOKEN` also works, but leaves it in shell history and the process list' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from login" -l client-id -d 'OAuth client id (default: KEYWARD_CLIENT_ID, then config `client_id` for the host, then the stored login\'s; else keyward registers one where the server allows it)' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from login" -s s -l scopes -d 'Extra scopes to request, comma-separated, added to the host\'s default scopes' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from login" -l timeout -d 'Seconds to wait for the login to be finished in the browser (1 to 86400)' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from login" -l login-hint -d 'The account to preselect at the identity provider (its `login_hint`), e.g. an email' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from login" -l auth-param -d 'Another parameter for the authorization request, NAME=VALUE (repeatable), e.g. `--auth-param prompt=login` or `--auth-param acr_values=mfa`' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from login" -l audience -d 'The audience to ask the CI for its ID token (default: config `id_token_audience`, else the API URL)' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from login" -l id-token-env -d 'Read the ID token from this environment variable (GitLab `id_tokens:`, CircleCI `CIRCLE_OIDC_TOKEN_V2`; default KEYWARD_ID_TOKEN when it is set)' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from login" -l id-token-command -d 'Run this command (`sh -c`) for the ID token at each exchange, e.g. `buildkite-agent oidc request-token --audience …`' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from login" -l id-token-file -d 'Read the ID token from this file at each exchange (Kubernetes projected service-account tokens, SPIFFE)' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from login" -l help -d 'Print help'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from login" -l token-stdin -d 'Read the token from standard input (a pipe), or ask for it, hidden, at a terminal'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from login" -s w -l web -d 'Log in in the browser, without asking how'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from login" -l no-browser -d 'Do not open a browser: print the URL and paste back the code or the address you land on'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from login" -l device -d 'Use the device flow: enter a short code on any device\'s browser'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from login" -l federated -d 'CI: exchange the job\'s own OIDC ID token for an access token (RFC 8693); no secret is stored. The ID token comes from GitHub Actions (auto-detected), --id-token-env, --id-token-command or --id-token-file, and is fetched again whenever the access token expires'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from login" -l client-credentials -d 'A service account: the client credentials grant with --client-id and a secret from --client-secret-stdin or KEYWARD_CLIENT_SECRET (never an argument). The secret is kept in the credential store to obtain new tokens'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from login" -l client-secret-stdin -d 'Read the client secret from standard input'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from login" -l debug -d 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from login" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from status" -s h -l api-url -l hostname -d 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from status" -l tenant -d 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, then a .keyward.toml pin, then config, then the login\'s)' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from status" -s u -l user -d 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from status" -l within -d 'With --check: how far ahead to look (e.g. 90s, 30m, 24h, 7d)' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from status" -l help -d 'Print help'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from status" -l json -d 'Print JSON (exit 0 whatever the logins\' state); errors as JSON on stderr'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from status" -l check -d 'For monitoring: print one line and exit 0 if usable, 1 if not logged in or expired without a refresh token, 2 if it expires within --within without a refresh token'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from status" -s t -l show-token -d 'Show the whole token'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from status" -l verify -d 'Ask each API whether its token is still accepted (never refreshes or writes)'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from status" -l all -d 'List every stored environment (the default)'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from status" -l stores -d 'List each credential store\'s logins, copies another store shadows included'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from status" -l debug -d 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from refresh" -s h -l api-url -l hostname -d 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from refresh" -s u -l user -d 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from refresh" -l help -d 'Print help'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from refresh" -l debug -d 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from refresh" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from token" -s h -l api-url -l hostname -d 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from token" -s u -l user -d 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from token" -l min-valid -d 'Refresh first unless the token stays valid this long (e.g. 90s, 5m, 1h); exit 4 when it cannot be refreshed and expires sooner. Below 60s the refresh still happens at 60s' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from token" -l help -d 'Print help'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from token" -l json -d 'Print JSON: the token, its expiry, the API URL; errors as JSON on stderr'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from token" -l debug -d 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from token" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from logout" -s h -l api-url -l hostname -d 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from logout" -s u -l user -d 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from logout" -l help -d 'Print help'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from logout" -l all -d 'Log out of every account of the API'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from logout" -l revoke -d 'Also revoke the tokens at the server (RFC 7009), when it has a revocation endpoint'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from logout" -l debug -d 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from logout" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from switch" -s h -l api-url -l hostname -d 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from switch" -s u -l user -d 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from switch" -l help -d 'Print help'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from switch" -l debug -d 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from switch" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from doctor" -s h -l api-url -l hostname -d 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from doctor" -l tenant -d 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, then a .keyward.toml pin, then config, then the login\'s)' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from doctor" -l help -d 'Print help'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from doctor" -l offline -d 'Send nothing over the network: the API URL, discovery, the token\'s verdict and the clock are not checked (and say so)'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from doctor" -l json -d 'Print JSON (same exit code); errors as JSON on stderr'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from doctor" -l debug -d 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from doctor" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from setup-git" -s h -l api-url -l hostname -d 'Set git up for this API URL only (or a bare host). Default: every stored API URL' -r
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from setup-git" -l help -d 'Print help'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from setup-git" -l force -d 'Set git up for the API URL -h names even when it is not logged in yet'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from setup-git" -l debug -d 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from setup-git" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from git-credential" -l help -d 'Print help'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from git-credential" -l debug -d 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from git-credential" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "login" -d 'Log in to an API: in the browser (default), by pasting a code back (--no-browser), with the device flow (--device), with a personal access token (--token-stdin), or without a person: a CI job\'s ID token (--federated), a service account (--client-credentials)'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show every stored login, or one API\'s (-h); exit 1 when one is not usable'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "refresh" -d 'Refresh the access token now (OAuth logins with a refresh token)'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "token" -d 'Print the access token on stdout, for scripts'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "logout" -d 'Remove the stored login of the active account of an API (keychain and file), or of the account -u names, or of every account (--all). Settings stay'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "switch" -d 'Make another stored account of an API the active one'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "doctor" -d 'Check what a login needs and say what to fix; exit 1 when a check fails'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "setup-git" -d 'Make git use your login for HTTPS remotes (git clone, git push)'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "git-credential" -d 'The git credential helper `auth setup-git` installs (run by git)'
complete -c keyward -n "__fish_keyward_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c keyward -n "__fish_keyward_using_subcommand api" -s X -l method -d 'The HTTP method (default GET, or POST when fields or --input are given)' -r
complete -c keyward -n "__fish_keyward_using_subcommand api" -s H -l header -d 'Add a header, or replace one of keyward\'s (not Authorization). Repeatable' -r
complete -c keyward -n "__fish_keyward_using_subcommand api" -s f -l raw-field -d 'A string field. Repeatable. JSON body, or the query string for GET' -r
complete -c keyward -n "__fish_keyward_using_subcommand api" -s F -l field -d 'A typed field: true, false, null and integers become JSON values; @FILE reads a file, @- standard input. Repeatable' -r
complete -c keyward -n "__fish_keyward_using_subcommand api" -l input -d 'The request body from FILE, or standard input with `-`. Fields then go in the query string' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand api" -s h -l api-url -l hostname -d 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`' -r
complete -c keyward -n "__fish_keyward_using_subcommand api" -l tenant -d 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, then a .keyward.toml pin, then config, then the login\'s)' -r
complete -c keyward -n "__fish_keyward_using_subcommand api" -s u -l user -d 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER' -r
complete -c keyward -n "__fish_keyward_using_subcommand api" -s i -l include -d 'Print the status line and the response headers before the body'
complete -c keyward -n "__fish_keyward_using_subcommand api" -l paginate -d 'Follow the next-page links (Link header, or the body\'s links.next or next_page_url) and merge the pages: arrays into one array, {data: [...]} pages into one data array'
complete -c keyward -n "__fish_keyward_using_subcommand api" -l silent -d 'Do not print the body'
complete -c keyward -n "__fish_keyward_using_subcommand api" -l json -d 'Report a failure (also an HTTP error status) as one JSON object on stderr; the body is printed as always'
complete -c keyward -n "__fish_keyward_using_subcommand api" -l help -d 'Print help'
complete -c keyward -n "__fish_keyward_using_subcommand api" -l debug -d 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
complete -c keyward -n "__fish_keyward_using_subcommand api" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand whoami" -s h -l api-url -l hostname -d 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`' -r
complete -c keyward -n "__fish_keyward_using_subcommand whoami" -l tenant -d 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, then a .keyward.toml pin, then config, then the login\'s)' -r
complete -c keyward -n "__fish_keyward_using_subcommand whoami" -s u -l user -d 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER' -r
complete -c keyward -n "__fish_keyward_using_subcommand whoami" -l help -d 'Print help'
complete -c keyward -n "__fish_keyward_using_subcommand whoami" -l json -d 'Print JSON; errors as JSON on stderr'
complete -c keyward -n "__fish_keyward_using_subcommand whoami" -l debug -d 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
complete -c keyward -n "__fish_keyward_using_subcommand whoami" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand tenants; and not __fish_seen_subcommand_from list use help" -l help -d 'Print help'
complete -c keyward -n "__fish_keyward_using_subcommand tenants; and not __fish_seen_subcommand_from list use help" -l debug -d 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
complete -c keyward -n "__fish_keyward_using_subcommand tenants; and not __fish_seen_subcommand_from list use help" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand tenants; and not __fish_seen_subcommand_from list use help" -f -a "list" -d 'List the tenants your login can use; the current one is marked with `*`'
complete -c keyward -n "__fish_keyward_using_subcommand tenants; and not __fish_seen_subcommand_from list use help" -f -a "use" -d 'Make SLUG the default tenant of an API URL (-h, else the default one): config.toml\'s `[hosts."<api_url>"].tenant`; other API URLs keep theirs'
complete -c keyward -n "__fish_keyward_using_subcommand tenants; and not __fish_seen_subcommand_from list use help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c keyward -n "__fish_keyward_using_subcommand tenants; and __fish_seen_subcommand_from list" -s h -l api-url -l hostname -d 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`' -r
complete -c keyward -n "__fish_keyward_using_subcommand tenants; and __fish_seen_subcommand_from list" -l tenant -d 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, then a .keyward.toml pin, then config, then the login\'s)' -r
complete -c keyward -n "__fish_keyward_using_subcommand tenants; and __fish_seen_subcommand_from list" -l help -d 'Print help'
complete -c keyward -n "__fish_keyward_using_subcommand tenants; and __fish_seen_subcommand_from list" -l json -d 'Print JSON; errors as JSON on stderr'
complete -c keyward -n "__fish_keyward_using_subcommand tenants; and __fish_seen_subcommand_from list" -l debug -d 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
complete -c keyward -n "__fish_keyward_using_subcommand tenants; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand tenants; and __fish_seen_subcommand_from use" -s h -l api-url -l hostname -d 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`' -r
complete -c keyward -n "__fish_keyward_using_subcommand tenants; and __fish_seen_subcommand_from use" -l help -d 'Print help'
complete -c keyward -n "__fish_keyward_using_subcommand tenants; and __fish_seen_subcommand_from use" -l debug -d 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
complete -c keyward -n "__fish_keyward_using_subcommand tenants; and __fish_seen_subcommand_from use" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand tenants; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the tenants your login can use; the current one is marked with `*`'
complete -c keyward -n "__fish_keyward_using_subcommand tenants; and __fish_seen_subcommand_from help" -f -a "use" -d 'Make SLUG the default tenant of an API URL (-h, else the default one): config.toml\'s `[hosts."<api_url>"].tenant`; other API URLs keep theirs'
complete -c keyward -n "__fish_keyward_using_subcommand tenants; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c keyward -n "__fish_keyward_using_subcommand config; and not __fish_seen_subcommand_from get set unset list help" -l help -d 'Print help'
complete -c keyward -n "__fish_keyward_using_subcommand config; and not __fish_seen_subcommand_from get set unset list help" -l debug -d 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
complete -c keyward -n "__fish_keyward_using_subcommand config; and not __fish_seen_subcommand_from get set unset list help" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand config; and not __fish_seen_subcommand_from get set unset list help" -f -a "get" -d 'Print the value of KEY'
complete -c keyward -n "__fish_keyward_using_subcommand config; and not __fish_seen_subcommand_from get set unset list help" -f -a "set" -d 'Set KEY to VALUE (validated; comments in config.toml are kept)'
complete -c keyward -n "__fish_keyward_using_subcommand config; and not __fish_seen_subcommand_from get set unset list help" -f -a "unset" -d 'Remove KEY from config.toml'
complete -c keyward -n "__fish_keyward_using_subcommand config; and not __fish_seen_subcommand_from get set unset list help" -f -a "list" -d 'List every value set in config.toml (or one host\'s section)'
complete -c keyward -n "__fish_keyward_using_subcommand config; and not __fish_seen_subcommand_from get set unset list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from get" -s h -l host -l api-url -l hostname -d 'The API URL (or bare host) whose per-host setting to read' -r
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from get" -l help -d 'Print help'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from get" -l debug -d 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from get" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from set" -s h -l host -l api-url -l hostname -d 'The API URL (or bare host) whose per-host setting to change' -r
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from set" -l global -d '`tenant`: the top-level fallback for every API URL, not the default API URL\'s'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from set" -l help -d 'Print help'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from set" -l debug -d 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from set" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from unset" -s h -l host -l api-url -l hostname -d 'The API URL (or bare host) whose per-host setting to remove' -r
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from unset" -l global -d '`tenant`: the top-level fallback for every API URL, not the default API URL\'s'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from unset" -l help -d 'Print help'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from unset" -l debug -d 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from unset" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from list" -s h -l host -l api-url -l hostname -d 'Only the settings of this API URL\'s `[hosts]` section' -r
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from list" -l json -d 'Print JSON; errors as JSON on stderr'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from list" -l help -d 'Print help'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from list" -l debug -d 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "get" -d 'Print the value of KEY'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "set" -d 'Set KEY to VALUE (validated; comments in config.toml are kept)'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "unset" -d 'Remove KEY from config.toml'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "list" -d 'List every value set in config.toml (or one host\'s section)'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c keyward -n "__fish_keyward_using_subcommand completion" -l help -d 'Print help'
complete -c keyward -n "__fish_keyward_using_subcommand completion" -l debug -d 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
complete -c keyward -n "__fish_keyward_using_subcommand completion" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from auth api whoami tenants config completion help" -f -a "auth" -d 'Log in, log out, and get tokens'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from auth api whoami tenants config completion help" -f -a "api" -d 'Make an authenticated request to the API and print the answer'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from auth api whoami tenants config completion help" -f -a "whoami" -d 'Show who you are logged in as'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from auth api whoami tenants config completion help" -f -a "tenants" -d 'List your tenants and choose the default one'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from auth api whoami tenants config completion help" -f -a "config" -d 'Read and change settings in config.toml'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from auth api whoami tenants config completion help" -f -a "completion" -d 'Print a shell completion script'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from auth api whoami tenants config completion help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "login" -d 'Log in to an API: in the browser (default), by pasting a code back (--no-browser), with the device flow (--device), with a personal access token (--token-stdin), or without a person: a CI job\'s ID token (--federated), a service account (--client-credentials)'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "status" -d 'Show every stored login, or one API\'s (-h); exit 1 when one is not usable'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "refresh" -d 'Refresh the access token now (OAuth logins with a refresh token)'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "token" -d 'Print the access token on stdout, for scripts'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "logout" -d 'Remove the stored login of the active account of an API (keychain and file), or of the account -u names, or of every account (--all). Settings stay'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "switch" -d 'Make another stored account of an API the active one'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "doctor" -d 'Check what a login needs and say what to fix; exit 1 when a check fails'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "setup-git" -d 'Make git use your login for HTTPS remotes (git clone, git push)'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "git-credential" -d 'The git credential helper `auth setup-git` installs (run by git)'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from tenants" -f -a "list" -d 'List the tenants your login can use; the current one is marked with `*`'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from tenants" -f -a "use" -d 'Make SLUG the default tenant of an API URL (-h, else the default one): config.toml\'s `[hosts."<api_url>"].tenant`; other API URLs keep theirs'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "get" -d 'Print the value of KEY'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "set" -d 'Set KEY to VALUE (validated; comments in config.toml are kept)'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "unset" -d 'Remove KEY from config.toml'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "list" -d 'List every value set in config.toml (or one host\'s section)'
