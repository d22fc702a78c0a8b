using Waku.StoreForensics.Cli;

return await CliApp.RunAsync(args).ConfigureAwait(false);
