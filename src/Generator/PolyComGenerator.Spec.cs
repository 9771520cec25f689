using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PolyComGen.Generator.Composition;
using PolyComGen.Generator.Contract;
using PolyComGen.Generator.Expressions;
using PolyComGen.Generator.Expressions.Language;
using PolyComGen.Generator.Helpers;
using PolyComGen.Generator.Models;
using static PolyComGen.Generator.Diagnostics.DiagnosticDescriptors;

namespace PolyComGen.Generator;

public sealed partial class PolyComGenerator
{
    /// <summary>Reads the spec of a <c>[PolyCom]</c> or <c>[Activation]</c> attribute; null, with its diagnostics, when it is invalid.</summary>
    private static SpecModel? ReadSpec(AttributeData attribute, Location fallback, bool polynomial, List<DiagnosticInfo> diagnostics) =>
        new SpecReader(attribute, fallback, polynomial, diagnostics).Read();

    /// <summary>
    /// One attribute's arguments read into a spec, one method per argument (each reports its own mistakes, located in the
    /// argument when it can be), in the order one depends on another: the parameters, then the expression that uses
    /// them, then Eps (which needs to know whether it normalises), Groups and Shared, then Fit.
    /// </summary>
    private sealed class SpecReader(AttributeData attribute, Location fallback, bool polynomial, List<DiagnosticInfo> diagnostics)
    {
        private int order = polynomial ? KernelContract.DefaultOrder : 1, type = polynomial ? KernelContract.DefaultType : 1, groups = 1, experts = 1;
        private string? inner = KernelContract.DefaultInner, parametersText = "", sharedText = "", fitText = "";
        private double eps = KernelContract.DefaultEps;
        private bool epsGiven, gated, valid = true;

        // What the parameters and the expression read into.
        private readonly List<DeclaredParameter> declared = [];
        private readonly HashSet<string> shared = new(StringComparer.OrdinalIgnoreCase);
        private bool parametersRead;
        private InnerFunction? function;
        private Expr? fitTarget;

        private string What => polynomial ? "Inner expression" : "Activation expression";

        // The first slot of the declared parameters: after a PolyCom's weights and bias.
        private int FirstSlot => KernelContract.Slots(polynomial, order, 0);

        private Location At(string argumentName) => ArgumentLocation(attribute, argumentName) ?? fallback;

        private void Report(DiagnosticDescriptor descriptor, Location location, params string[] arguments)
        {
            diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));
            valid = valid && descriptor.DefaultSeverity != DiagnosticSeverity.Error;
        }

        public SpecModel? Read()
        {
            ReadArguments();
            ReadParameters();
            ReadOrderAndType();
            ReadExpression();
            ReadEps();
            ReadGroups();
            ReadExperts();
            ReadShared();
            ReadFit();
            return valid ? Build() : null;
        }

        private void ReadArguments()
        {
            if (!polynomial)
            {
                // [Activation("expression")]: the activation itself, as Type 1 of order 1 without weights or bias.
                TypedConstant expression = attribute.ConstructorArguments.FirstOrDefault();
                valid = attribute.ConstructorArguments.Length == 1 && expression.Kind != TypedConstantKind.Error;
                inner = valid ? expression.Value as string : "";
                if (!valid)
                {
                    HintQuotes("");
                }
            }
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                TypedConstant value = argument.Value;
                if (value.Kind == TypedConstantKind.Error)
                {
                    valid = false; // the compiler reports the bad argument itself
                    if (argument.Key is "Inner" or "Parameters" or "Shared" or "Fit")
                    {
                        HintQuotes(argument.Key);
                    }
                    continue;
                }
                switch (argument.Key)
                {
                    case "Order" when value.Value is int i:
                        order = i;
                        break;
                    case "Type" when value.Value is int i:
                        type = i;
                        break;
                    case "Inner":
                        inner = value.Value as string;
                        break;
                    case "Eps" when value.Value is double d:
                        eps = d;
                        epsGiven = true;
                        break;
                    case "Gated" when value.Value is bool g:
                        gated = g;
                        break;
                    case "Parameters":
                        parametersText = value.Value as string;
                        break;
                    case "Groups" when value.Value is int g:
                        groups = g;
                        break;
                    case "Experts" when value.Value is int e:
                        experts = e;
                        break;
                    case "Shared":
                        sharedText = value.Value as string;
                        break;
                    case "Fit":
                        fitText = value.Value as string;
                        break;
                }
            }
        }

        // A string argument written as code (Inner = x * sigmoid(x)): the compiler reports the names it cannot bind; this
        // says what was meant. Nothing when the argument is a string literal with another mistake.
        private void HintQuotes(string argumentName)
        {
            if (ArgumentSyntax(attribute, argumentName)?.Expression is { } expression && expression is not LiteralExpressionSyntax)
            {
                string text = expression.ToString();
                string written = argumentName.Length == 0 ? $"[Activation(\"{text}\")]" : $"{argumentName} = \"{text}\"";
                Report(UnquotedString, expression.GetLocation(), argumentName.Length == 0 ? "The activation's expression" : argumentName, written);
            }
        }

        // The learnable parameters, each a variable in its slot.
        private void ReadParameters()
        {
            if (parametersText is null)
            {
                Report(MalformedParameters, At("Parameters"), "Parameters is null; write name = value pairs, as in \"beta = 1\"");
                return;
            }
            var (list, error) = ParameterParser.Parse(parametersText);
            if (error is not null)
            {
                diagnostics.Add(ParameterDiagnostic(error, StringLocation(attribute, "Parameters", error.Start, error.Length) ?? At("Parameters")));
                valid = false;
                return;
            }
            declared.AddRange(list);
            parametersRead = true;
        }

        private void ReadOrderAndType()
        {
            if (order is < KernelContract.MinOrder or > KernelContract.MaxOrder)
            {
                Report(OrderOutOfRange, At("Order"), order.ToString(CultureInfo.InvariantCulture));
            }
            if (type is not (1 or 2))
            {
                Report(TypeOutOfRange, At("Type"), type.ToString(CultureInfo.InvariantCulture));
            }
        }

        // Inner (or the [Activation]'s expression), in the declared parameters; each of them must be used.
        private void ReadExpression()
        {
            if (!parametersRead)
            {
                return; // its names cannot be checked against a Parameters string that could not be read
            }
            if (inner is null)
            {
                Report(UnknownInner, At("Inner"), "null", "", string.Join(", ", BuiltInFunctions.Names));
                return;
            }
            var variables = declared.Select((p, j) => (p.Name, Variable: PlanVariables.Learned(p.Name, FirstSlot + j))).ToDictionary(p => p.Name, p => p.Variable);
            InnerParseResult parsed = InnerParser.Parse(inner, variables);
            function = parsed.Inner;
            Location expressionLocation = (polynomial ? ArgumentLocation(attribute, "Inner") : ConstructorArgumentLocation(attribute)) ?? fallback;
            if (parsed.Error is ExpressionError error)
            {
                diagnostics.Add(ExpressionDiagnostic(error, inner, What, StringLocation(attribute, ExpressionArgument(polynomial), error.Start, error.Length) ?? expressionLocation));
                valid = false;
                return;
            }
            var used = new HashSet<string>(function!.Body.VariableNodes().Where(v => v.Role == VariableRole.Parameter).Select(v => v.Name));
            foreach (DeclaredParameter parameter in declared.Where(p => !used.Contains(variables[p.Name].Name)))
            {
                Report(UnusedParameter, StringLocation(attribute, "Parameters", parameter.Start, parameter.Length) ?? At("Parameters"),
                    parameter.Name, polynomial ? "Inner" : "the expression");
            }
        }

        // Eps is added in float32 by the kernels: it must stay a positive finite number there; it only matters under norm().
        private void ReadEps()
        {
            if (!epsGiven || IsFloat32Positive(eps))
            {
                return;
            }
            string shown = eps.ToString("R", CultureInfo.InvariantCulture);
            if (function is null || function.Normalized)
            {
                Report(InvalidEps, At("Eps"), shown);
            }
            else
            {
                Report(UnusedInvalidEps, At("Eps"), shown, function.Text);
            }
        }

        private void ReadGroups()
        {
            if (groups is < 1 or > KernelContract.MaxGroups)
            {
                Report(InvalidGroups, At("Groups"), $"Groups = {groups.ToString(CultureInfo.InvariantCulture)} is outside 1 to {KernelContract.MaxGroups}");
            }
        }

        private void ReadExperts()
        {
            if (experts is < 1 or > KernelContract.MaxExperts)
            {
                Report(InvalidExperts, At("Experts"), $"Experts = {experts.ToString(CultureInfo.InvariantCulture)} is outside 1 to {KernelContract.MaxExperts}");
            }
            else if (experts > 1 && !polynomial && declared.Count == 0 && parametersRead)
            {
                Report(InvalidExperts, At("Experts"), $"Experts = {experts.ToString(CultureInfo.InvariantCulture)} gives every expert its own parameters, but this activation has none; declare Parameters or remove Experts");
            }
        }

        // The parameters every group shares, each a declared one, once.
        private void ReadShared()
        {
            if (sharedText is null)
            {
                Report(InvalidShared, At("Shared"), "Shared is null; list the parameters shared by all groups, as in \"a0, a1\"");
                return;
            }
            if (!parametersRead)
            {
                return;
            }
            foreach (var (name, start) in SharedNames(sharedText))
            {
                string? problem = !declared.Any(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
                    ? $"'{name}' is not a parameter of this declaration; Parameters declares {(declared.Count == 0 ? "none" : string.Join(", ", declared.Select(p => p.Name)))}"
                    : !shared.Add(name) ? $"'{name}' is listed twice" : null;
                if (problem is not null)
                {
                    Report(InvalidShared, StringLocation(attribute, "Shared", start, name.Length) ?? At("Shared"), problem);
                    return;
                }
            }
        }

        // Fit: a target expression of x, for an elementwise activation with named parameters.
        private void ReadFit()
        {
            if (fitText is not null && fitText.Trim().Length == 0)
            {
                return;
            }
            string? problem = null;
            if (fitText is null)
            {
                problem = "Fit is null; write the expression of x to fit, as in \"gelu(x)\"";
            }
            else if (function is { Normalized: true })
            {
                problem = "a normalised activation depends on the whole row, so it cannot be fitted to a function of x";
            }
            else if (declared.Count == 0)
            {
                problem = "the declaration has no Parameters to fit";
            }
            else
            {
                InnerParseResult target = InnerParser.Parse(fitText);
                if (target.Error is ExpressionError fitError)
                {
                    Report(InvalidFit, StringLocation(attribute, "Fit", fitError.Start, fitError.Length) ?? At("Fit"), fitError.Message);
                }
                else if (target.Inner!.Normalized)
                {
                    problem = "the target is normalised over a row; fit to an elementwise expression of x";
                }
                else
                {
                    fitTarget = target.Inner.Body;
                }
            }
            if (problem is not null)
            {
                Report(InvalidFit, At("Fit"), problem);
            }
        }

        // The spec of valid arguments, its initial values fitted where it has a Fit.
        private SpecModel Build()
        {
            var spec = new SpecModel(type, order, function!.Normalized ? eps : KernelContract.DefaultEps, gated, function)
            {
                Polynomial = polynomial,
                Learned = declared.Select((p, j) => new LearnedParameter(p.Name, p.Initial, shared.Contains(p.Name), FirstSlot + j)).ToEquatableArray(),
                ParametersText = declared.Count == 0 ? "" : InnerParser.Display(parametersText!),
                Groups = groups,
                Experts = experts,
                SharedText = shared.Count == 0 ? "" : string.Join(", ", declared.Where(p => shared.Contains(p.Name)).Select(p => p.Name)),
            };
            if (fitTarget is null)
            {
                return spec;
            }
            Fitting.Result fit = Fitting.Fit(spec, fitTarget);
            spec = spec with
            {
                Learned = spec.Learned.Select((p, j) => p with { Initial = Fitting.IsFinite(fit.Values[j]) ? fit.Values[j] : p.Initial }).ToEquatableArray(),
                FitText = InnerParser.Display(fitText!),
                FitError = fit.MaxError,
            };
            if (!fit.Converged || !Fitting.IsFinite(fit.MaxError))
            {
                diagnostics.Add(DiagnosticInfo.Create(FitNotConverged, At("Fit"), InnerParser.Display(fitText!),
                    fit.MaxError.ToString("G3", CultureInfo.InvariantCulture), Fitting.Low.ToString(CultureInfo.InvariantCulture), Fitting.High.ToString(CultureInfo.InvariantCulture)));
            }
            return spec;
        }
    }
}
