
use builtin;
use str;

set edit:completion:arg-completer[keyward] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'keyward'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'keyward'= {
            cand --api-url 'API URL of the environment (default: KEYWARD_API_URL, then config `api_url`)'
            cand --tenant 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, config `tenant`, then the login''s)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand auth 'Log in, log out, and get tokens'
            cand whoami 'Show who you are logged in as (offline)'
            cand tenants 'List your tenants and choose the default one'
            cand config 'Read and change settings in config.toml'
            cand completion 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;auth'= {
            cand --api-url 'API URL of the environment (default: KEYWARD_API_URL, then config `api_url`)'
            cand --tenant 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, config `tenant`, then the login''s)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand login 'Log in to an API: in the browser (default), by pasting a code back (--no-browser), with the device flow (--device), or with a personal access token (--token-stdin)'
            cand status 'Show the stored login for an API (offline)'
            cand refresh 'Refresh the access token now (OAuth logins with a refresh token)'
            cand token 'Print the access token on stdout, for scripts'
            cand logout 'Remove the stored login for an API (keychain and file). Settings stay'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;auth;login'= {
            cand --with-token 'Log in with this token (visible in shell history and the process list; prefer --token-stdin)'
            cand --client-id 'OAuth client id (default: KEYWARD_CLIENT_ID, then config `client_id` for the host)'
            cand --scopes 'Extra scopes to request, comma-separated, added to the host''s default scopes'
            cand --timeout 'Seconds to wait for the login to be finished in the browser'
            cand --api-url 'API URL of the environment (default: KEYWARD_API_URL, then config `api_url`)'
            cand --tenant 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, config `tenant`, then the login''s)'
            cand --token-stdin 'Read the token from standard input: one line from a pipe, or asked for (hidden) at a terminal'
            cand --no-browser 'Do not open a browser: print the URL and paste back the code or the address you land on'
            cand --device 'Use the device flow: enter a short code on any device''s browser'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;auth;status'= {
            cand --within 'With --check: how far ahead to look (e.g. 90s, 30m, 24h, 7d)'
            cand --api-url 'API URL of the environment (default: KEYWARD_API_URL, then config `api_url`)'
            cand --tenant 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, config `tenant`, then the login''s)'
            cand --json 'Print JSON'
            cand --check 'For monitoring: print one line and exit 0 if usable, 1 if not logged in or expired without a refresh token, 2 if it expires within --within without a refresh token'
            cand --show-token 'Show the whole token'
            cand --all 'List every stored environment'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;auth;refresh'= {
            cand --api-url 'API URL of the environment (default: KEYWARD_API_URL, then config `api_url`)'
            cand --tenant 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, config `tenant`, then the login''s)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;auth;token'= {
            cand --api-url 'API URL of the environment (default: KEYWARD_API_URL, then config `api_url`)'
            cand --tenant 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, config `tenant`, then the login''s)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;auth;logout'= {
            cand --api-url 'API URL of the environment (default: KEYWARD_API_URL, then config `api_url`)'
            cand --tenant 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, config `tenant`, then the login''s)'
            cand --revoke 'Also revoke the tokens at the server (RFC 7009), when it has a revocation endpoint'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;auth;help'= {
            cand login 'Log in to an API: in the browser (default), by pasting a code back (--no-browser), with the device flow (--device), or with a personal access token (--token-stdin)'
            cand status 'Show the stored login for an API (offline)'
            cand refresh 'Refresh the access token now (OAuth logins with a refresh token)'
            cand token 'Print the access token on stdout, for scripts'
            cand logout 'Remove the stored login for an API (keychain and file). Settings stay'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;auth;help;login'= {
        }
        &'keyward;auth;help;status'= {
        }
        &'keyward;auth;help;refresh'= {
        }
        &'keyward;auth;help;token'= {
        }
        &'keyward;auth;help;logout'= {
        }
        &'keyward;auth;help;help'= {
        }
        &'keyward;whoami'= {
            cand --api-url 'API URL of the environment (default: KEYWARD_API_URL, then config `api_url`)'
            cand --tenant 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, config `tenant`, then the login''s)'
            cand --json 'Print JSON'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;tenants'= {
            cand --api-url 'API URL of the environment (default: KEYWARD_API_URL, then config `api_url`)'
            cand --tenant 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, config `tenant`, then the login''s)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List the tenants your login can use; the current one is marked with `*`'
            cand use 'Make SLUG the default tenant (writes `tenant` in config.toml)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;tenants;list'= {
            cand --api-url 'API URL of the environment (default: KEYWARD_API_URL, then config `api_url`)'
            cand --tenant 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, config `tenant`, then the login''s)'
            cand --json 'Print JSON'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;tenants;use'= {
            cand --api-url 'API URL of the environment (default: KEYWARD_API_URL, then config `api_url`)'
            cand --tenant 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, config `tenant`, then the login''s)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;tenants;help'= {
            cand list 'List the tenants your login can use; the current one is marked with `*`'
            cand use 'Make SLUG the default tenant (writes `tenant` in config.toml)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;tenants;help;list'= {
        }
        &'keyward;tenants;help;use'= {
        }
        &'keyward;tenants;help;help'= {
        }
        &'keyward;config'= {
            cand --api-url 'API URL of the environment (default: KEYWARD_API_URL, then config `api_url`)'
            cand --tenant 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, config `tenant`, then the login''s)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand get 'Print the value of KEY'
            cand set 'Set KEY to VALUE (validated; comments in config.toml are kept)'
            cand unset 'Remove KEY from config.toml'
            cand list 'List every value set in config.toml'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;config;get'= {
            cand --host 'The API URL whose per-host setting to read'
            cand --api-url 'API URL of the environment (default: KEYWARD_API_URL, then config `api_url`)'
            cand --tenant 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, config `tenant`, then the login''s)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;config;set'= {
            cand --host 'The API URL whose per-host setting to change'
            cand --api-url 'API URL of the environment (default: KEYWARD_API_URL, then config `api_url`)'
            cand --tenant 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, config `tenant`, then the login''s)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;config;unset'= {
            cand --host 'The API URL whose per-host setting to remove'
            cand --api-url 'API URL of the environment (default: KEYWARD_API_URL, then config `api_url`)'
            cand --tenant 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, config `tenant`, then the login''s)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;config;list'= {
            cand --api-url 'API URL of the environment (default: KEYWARD_API_URL, then config `api_url`)'
            cand --tenant 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, config `tenant`, then the login''s)'
            cand --json 'Print JSON'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;config;help'= {
            cand get 'Print the value of KEY'
            cand set 'Set KEY to VALUE (validated; comments in config.toml are kept)'
            cand unset 'Remove KEY from config.toml'
            cand list 'List every value set in config.toml'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;config;help;get'= {
        }
        &'keyward;config;help;set'= {
        }
        &'keyward;config;help;unset'= {
        }
        &'keyward;config;help;list'= {
        }
        &'keyward;config;help;help'= {
        }
        &'keyward;completion'= {
            cand --api-url 'API URL of the environment (default: KEYWARD_API_URL, then config `api_url`)'
            cand --tenant 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, config `tenant`, then the login''s)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;help'= {
            cand auth 'Log in, log out, and get tokens'
            cand whoami 'Show who you are logged in as (offline)'
            cand tenants 'List your tenants and choose the default one'
            cand config 'Read and change settings in config.toml'
            cand completion 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;help;auth'= {
            cand login 'Log in to an API: in the browser (default), by pasting a code back (--no-browser), with the device flow (--device), or with a personal access token (--token-stdin)'
            cand status 'Show the stored login for an API (offline)'
            cand refresh 'Refresh the access token now (OAuth logins with a refresh token)'
            cand token 'Print the access token on stdout, for scripts'
            cand logout 'Remove the stored login for an API (keychain and file). Settings stay'
        }
        &'keyward;help;auth;login'= {
        }
        &'keyward;help;auth;status'= {
        }
        &'keyward;help;auth;refresh'= {
        }
        &'keyward;help;auth;token'= {
        }
        &'keyward;help;auth;logout'= {
        }
        &'keyward;help;whoami'= {
        }
        &'keyward;help;tenants'= {
            cand list 'List the tenants your login can use; the current one is marked with `*`'
            cand use 'Make SLUG the default tenant (writes `tenant` in config.toml)'
        }
        &'keyward;help;tenants;list'= {
        }
        &'keyward;help;tenants;use'= {
        }
        &'keyward;help;config'= {
            cand get 'Print the value of KEY'
            cand set 'Set KEY to VALUE (validated; comments in config.toml are kept)'
            cand unset 'Remove KEY from config.toml'
            cand list 'List every value set in config.toml'
        }
        &'keyward;help;config;get'= {
        }
        &'keyward;help;config;set'= {
        }
        &'keyward;help;config;unset'= {
        }
        &'keyward;help;config;list'= {
        }
        &'keyward;help;completion'= {
        }
        &'keyward;help;help'= {
        }
    ]
    $completions[$command]
}
