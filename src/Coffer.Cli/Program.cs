using Coffer.Cli;

return await CofferCommandLine.InvokeAsync(args, Console.Out, Console.Error, CancellationToken.None).ConfigureAwait(false);
